import { Body, Controller, Get, Header, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, AppErrorCode } from '../common/errors/app-error';
import { ApiProblem } from '../common/openapi/api-problem.decorator';
import { HttpProblemCode } from '../common/openapi/problem-types';
import { EXAMPLE_MFA_TOKEN } from '../common/openapi/examples';
import { MFA_TOKEN_TTL_SECONDS } from './mfa/mfa-token.service';
import {
  CLEAR_REFRESH_COOKIE,
  NO_STORE,
  SET_LOGIN_COOKIES,
  SET_REFRESH_COOKIE,
} from '../common/openapi/response-headers';
import { THROTTLE_LIMITS } from '../throttle/throttle.limits';
import { Throttled } from '../throttle/throttled.decorator';
import { SessionsService } from '../tokens/sessions.service';
import { AuthenticatedUser, ClientInfo, TokenResponse } from '../tokens/token.types';
import { UserView } from '../users/user.view';
import { AuthService, EMAIL_NOT_VERIFIED_DETAIL, LoginResult } from './auth.service';
import { DeviceCookie } from './brute-force/device-cookie';
import { Authenticated } from './decorators/authorize.decorator';
import { CurrentUser, currentUserOf } from './decorators/current-user.decorator';
import {
  callerAccountOf,
  WithAccountRead,
  WithCallerAccount,
} from './decorators/caller-account.decorator';
import { Public } from './decorators/public.decorator';
import { ChangePasswordDto } from './dto/change-password.dto';
import { LoginDto } from './dto/login.dto';
import { MeDto } from './dto/me.dto';
import { RefreshDto } from './dto/refresh.dto';
import { RegisterDto } from './dto/register.dto';
import { TokenResponseDto } from './dto/token-response.dto';
import { ApiDpopTokenRequest } from './dpop/api-dpop.decorator';
import { DpopService } from './dpop/dpop.service';
import { LoginMfaDto } from './mfa/dto/mfa.dto';
import { RefreshCookie } from './refresh-cookie';

/** The 403 of a login whose user has a second factor (OpenAPI example). */
const MFA_REQUIRED_EXAMPLE = {
  code: AppErrorCode.MfaRequired,
  detail: 'Enter the code from your authenticator app (or a recovery code).',
  members: {
    mfa_token: EXAMPLE_MFA_TOKEN,
    expires_in: MFA_TOKEN_TTL_SECONDS,
    methods: ['totp', 'recovery_code'],
  },
};

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
    private readonly cookie: RefreshCookie,
    private readonly device: DeviceCookie,
    private readonly dpop: DpopService,
  ) {}

  @Post('register')
  @Public()
  @Throttled(THROTTLE_LIMITS.register)
  @HttpCode(201)
  @ApiOperation({
    operationId: 'register',
    summary: 'Create an account',
    description:
      'Open unless `REGISTRATION=closed`. The password: 12–128 characters, not the email or ' +
      'username, not a common password. Every invalid field is listed in one answer. Then sign ' +
      'in with `POST /auth/login`.',
  })
  @ApiCreatedResponse({ description: 'The new user (role `user`)', type: UserView })
  @ApiProblem(
    'A field is invalid, or the password breaks the policy; `errors` lists each',
    AppErrorCode.ValidationFailed,
    HttpProblemCode.BadRequest,
  )
  @ApiProblem(
    'The email or the username is taken',
    AppErrorCode.EmailTaken,
    AppErrorCode.UsernameTaken,
  )
  @ApiProblem('Registration is closed on this server', AppErrorCode.RegistrationClosed)
  async register(@Body() dto: RegisterDto): Promise<UserView> {
    return UserView.of(await this.auth.register(dto));
  }

  @Post('login')
  @Public()
  @Throttled(THROTTLE_LIMITS.login)
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    operationId: 'login',
    summary: 'Sign in: an access token and a refresh token (also set as an httpOnly cookie)',
    description:
      'Start here. `username` may also be the email. Send the `access_token` as ' +
      '`Authorization: Bearer <access_token>` (in Swagger UI: **Authorize**); before it expires ' +
      '(`expires_in`), exchange the `refresh_token` at `POST /auth/refresh`. Ask for fewer ' +
      'rights with `scope`. Also sets an httpOnly device cookie (Path=/auth). Failed logins lock a (username, ' +
      'client IP) pair after LOGIN_MAX_FAILURES, a username after 10 times that and a client IP ' +
      'after LOGIN_IP_MAX_FAILURES, for LOGIN_LOCK_SECONDS (429 with Retry-After). A client ' +
      'holding a device cookie from an earlier successful login as that user is counted only by ' +
      'its own failures, so others cannot lock it out.',
  })
  @ApiOkResponse({
    description: 'Signed in: a new session',
    type: TokenResponseDto,
    headers: { ...NO_STORE, ...SET_LOGIN_COOKIES },
  })
  @ApiProblem('A field is missing or of the wrong type', {
    code: AppErrorCode.ValidationFailed,
    detail: 'password must be longer than or equal to 1 characters',
  })
  @ApiProblem(
    'Wrong username or password, or a deactivated account: one answer for all, in the same time',
    AppErrorCode.InvalidCredentials,
  )
  @ApiProblem(
    'Too many failed logins: locked for `Retry-After` seconds, even with the right password',
    {
      code: AppErrorCode.TooManyRequests,
      name: 'locked',
      detail: 'Too many failed logins; try again later.',
      retryAfterSeconds: 900,
    },
  )
  @ApiProblem(
    '`REQUIRE_VERIFIED_EMAIL=true` and the right password of a user whose email is not ' +
      'verified; or the right password of a user with a second factor: no session yet, send ' +
      '`mfa_token` and a code to `POST /auth/login/mfa` within `expires_in` seconds',
    { code: AppErrorCode.EmailNotVerified, detail: EMAIL_NOT_VERIFIED_DETAIL },
    MFA_REQUIRED_EXAMPLE,
  )
  @ApiDpopTokenRequest()
  async login(
    @Body() dto: LoginDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenResponse> {
    const jkt = await this.dpop.forTokenRequest(request);
    const result = await this.auth.login(dto, clientOf(request), this.device.read(request), jkt);
    return this.signedIn(reply, result);
  }

  @Post('login/mfa')
  @Public()
  @Throttled(THROTTLE_LIMITS.loginMfa)
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    operationId: 'loginWithSecondFactor',
    summary: 'Finish a sign-in with a second factor: the mfa_token and a code',
    description:
      'After `POST /auth/login` answered `403 mfa-required`: its `mfa_token` and the 6-digit ' +
      'code of the authenticator app, or a recovery code. Answers like a login (tokens, refresh ' +
      'and device cookies); access tokens say `amr: ["pwd", "otp", "mfa"]`. A code is accepted ' +
      'once (not again, nor an older one); the `mfa_token` works once, for 5 minutes, and dies ' +
      'after 5 wrong codes; wrong codes of a user over all clients lock like failed logins. ' +
      'If the login sent a DPoP proof, this request must send one by the same key (else ' +
      '`400 invalid-dpop-proof`, before the code is looked at) and the session is bound to it.',
  })
  @ApiOkResponse({
    description: 'Signed in: a new session',
    type: TokenResponseDto,
    headers: { ...NO_STORE, ...SET_LOGIN_COOKIES },
  })
  @ApiProblem('A field is missing or of the wrong type', {
    code: AppErrorCode.ValidationFailed,
    detail: 'code must be a string',
  })
  @ApiProblem(
    'The `mfa_token` is not one, expired, used or spent its 5 tries (sign in again); or the ' +
      'code is wrong or used already (try the next one)',
    AppErrorCode.InvalidMfaToken,
    AppErrorCode.InvalidMfaCode,
  )
  @ApiProblem('Too many wrong codes for this user: locked for `Retry-After` seconds', {
    code: AppErrorCode.TooManyRequests,
    name: 'locked',
    detail: 'Too many wrong codes; try again later.',
    retryAfterSeconds: 900,
  })
  @ApiDpopTokenRequest()
  async loginWithSecondFactor(
    @Body() dto: LoginMfaDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenResponse> {
    const jkt = await this.dpop.forTokenRequest(request);
    const result = await this.auth.loginWithSecondFactor(
      dto.mfa_token,
      dto.code,
      clientOf(request),
      jkt,
    );
    return this.signedIn(reply, result);
  }

  /** The cookies of a new session, and its tokens as the body. */
  private signedIn(reply: FastifyReply, { tokens, deviceToken }: LoginResult): TokenResponse {
    this.cookie.set(reply, tokens.refresh_token, tokens.refresh_expires_in);
    if (deviceToken) this.device.set(reply, deviceToken);
    this.nextNonce(reply);
    return tokens;
  }

  /** RFC 9449 §8.2: with DPOP_NONCE_REQUIRED, every token answer hands out the next nonce. */
  private nextNonce(reply: FastifyReply): void {
    if (this.dpop.noncesRequired) void reply.header('dpop-nonce', this.dpop.nonce());
  }

  @Post('refresh')
  @Public()
  @Throttled(THROTTLE_LIMITS.refresh)
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    operationId: 'refreshToken',
    summary: 'Exchange a refresh token (body or cookie) for a new pair; reuse revokes the session',
    description:
      'Single use: the answer holds a new `refresh_token` and the one sent stops working. ' +
      'Sending a used one again is taken as theft and revokes the whole session ' +
      '(`refresh-token-reused`); two tabs refreshing the same token at once get that too, so ' +
      'let one refresh and share its result. Without `refresh_token` in the body, the refresh ' +
      'cookie is used, on a request with a JSON body or an `X-Requested-With` header only. ' +
      'Grace window (off unless REFRESH_REUSE_GRACE_SECONDS is set, at most 60 s): a used ' +
      'token sent again within that many seconds of its use, with the same device cookie ' +
      '`__Secure-device` as that use, gets the same pair that use got (lifetimes counted ' +
      'down) and the session lives on; only the latest used token, only while its successor ' +
      'is unused. Without the same device cookie, or later, it is reuse as above.',
  })
  @ApiOkResponse({
    description: 'A new pair; the session keeps its id and its end',
    type: TokenResponseDto,
    headers: { ...NO_STORE, ...SET_REFRESH_COOKIE },
  })
  @ApiProblem('`refresh_token` is not a string', {
    code: AppErrorCode.ValidationFailed,
    detail: 'refresh_token must be a string',
  })
  @ApiProblem(
    'No refresh token, or one that cannot be used: sign in again. A reused one has just ' +
      'revoked its session.',
    AppErrorCode.InvalidRefreshToken,
    AppErrorCode.RefreshReused,
  )
  @ApiProblem(
    'The refresh cookie on a request a cross-site form could send, or from an Origin not in ' +
      'CORS_ORIGINS',
    AppErrorCode.CrossSiteRequest,
  )
  @ApiDpopTokenRequest()
  async refresh(
    @Body() dto: RefreshDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenResponse> {
    const presented = dto.refresh_token ?? this.cookie.read(request);
    if (!presented)
      throw new AppError(AppErrorCode.InvalidRefreshToken, 'A refresh token is required.');
    const jkt = await this.dpop.forTokenRequest(request);
    const tokens = await this.auth.refresh(
      presented,
      clientOf(request),
      jkt,
      this.device.read(request),
    );
    this.cookie.set(reply, tokens.refresh_token, tokens.refresh_expires_in);
    this.nextNonce(reply);
    return tokens;
  }

  @Post('logout')
  @Authenticated({ enrolment: true })
  @HttpCode(204)
  @ApiOperation({
    operationId: 'logout',
    summary: 'Sign out: end the current session and clear the refresh cookie',
    description:
      'The access token and the refresh token of this session stop working at once, on every ' +
      'instance; its WebSockets close within a second.',
  })
  @ApiNoContentResponse({ description: 'Signed out', headers: CLEAR_REFRESH_COOKIE })
  async logout(
    @CurrentUser() caller: AuthenticatedUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.sessions.end(caller.userId, caller.sessionId);
    this.cookie.clear(reply);
  }

  @Post('logout-all')
  @Authenticated()
  @HttpCode(204)
  @ApiOperation({
    operationId: 'endAllSessions',
    summary: 'Sign out everywhere: end every session of the caller',
    description: 'Every device of the user must sign in again; this one too.',
  })
  @ApiNoContentResponse({
    description: 'Every session has ended',
    headers: CLEAR_REFRESH_COOKIE,
  })
  async logoutAll(
    @CurrentUser() caller: AuthenticatedUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.sessions.endAll(caller.userId, 'logout-all');
    this.cookie.clear(reply);
  }

  @Get('me')
  @Authenticated()
  @WithCallerAccount()
  @ApiOperation({
    operationId: 'getMe',
    summary: 'Who the access token belongs to',
    description:
      '`scopes` are those of the presented token, which may be fewer than the user may hold.',
  })
  @ApiOkResponse({ description: 'The caller', type: MeDto })
  async me(@Req() request: FastifyRequest & WithAccountRead): Promise<MeDto> {
    // The request, not @CurrentUser() and @CallerAccount() (which read the same values the same
    // way): Nest runs the global ValidationPipe on every custom parameter, a no-op for these but
    // ~25 promises a request, each paying the request context's async hook on Node 20: ~12 % of
    // this hot route's CPU (bench/README.md).
    const caller = currentUserOf(request);
    const user = await callerAccountOf(request);
    return {
      id: user.id,
      email: user.email,
      username: user.username,
      roles: user.roles,
      scopes: caller.scopes,
      sessionId: caller.sessionId,
    };
  }

  @Post('password')
  @Authenticated()
  @Throttled(THROTTLE_LIMITS.password)
  @HttpCode(204)
  @ApiOperation({
    operationId: 'changePassword',
    summary: 'Change the password; every other session ends',
    description:
      'This session stays signed in; every other one ends. A wrong `currentPassword` counts ' +
      'toward the same brute-force limits as a failed login.',
  })
  @ApiNoContentResponse({ description: 'Changed' })
  @ApiProblem('The new password breaks the policy, or a field is missing', {
    code: AppErrorCode.ValidationFailed,
    detail: 'password is too common',
    errors: [{ field: 'newPassword', message: 'password is too common' }],
  })
  @ApiProblem(
    'The current password is wrong (the access token is fine: do not refresh on it)',
    AppErrorCode.WrongPassword,
  )
  @ApiProblem('Too many wrong current passwords: locked for `Retry-After` seconds', {
    code: AppErrorCode.TooManyRequests,
    name: 'locked',
    detail: 'Too many failed logins; try again later.',
    retryAfterSeconds: 900,
  })
  async changePassword(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() dto: ChangePasswordDto,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    await this.auth.changePassword(caller, dto.currentPassword, dto.newPassword, clientOf(request));
  }
}

export function clientOf(request: FastifyRequest): ClientInfo {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip ?? null, userAgent: typeof userAgent === 'string' ? userAgent : null };
}
