import { Body, Controller, Get, Header, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, AppErrorCode } from '../common/errors/app-error';
import { ProblemResponse } from '../common/openapi/problem.schema';
import { THROTTLE_LIMITS } from '../throttle/throttle.limits';
import { Throttled } from '../throttle/throttled.decorator';
import { SessionsService } from '../tokens/sessions.service';
import { AuthenticatedUser, ClientInfo, TokenResponse } from '../tokens/token.types';
import { UserView } from '../users/user.view';
import { UsersService } from '../users/users.service';
import { AuthService } from './auth.service';
import { DeviceCookie } from './brute-force/device-cookie';
import { Authenticated } from './decorators/authorize.decorator';
import { CurrentUser } from './decorators/current-user.decorator';
import { Public } from './decorators/public.decorator';
import { ChangePasswordDto } from './dto/change-password.dto';
import { LoginDto } from './dto/login.dto';
import { MeDto } from './dto/me.dto';
import { RefreshDto } from './dto/refresh.dto';
import { RegisterDto } from './dto/register.dto';
import { TokenResponseDto } from './dto/token-response.dto';
import { RefreshCookie } from './refresh-cookie';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly cookie: RefreshCookie,
    private readonly device: DeviceCookie,
  ) {}

  @Post('register')
  @Public()
  @Throttled(THROTTLE_LIMITS.register)
  @HttpCode(201)
  @ApiOperation({ summary: 'Create an account' })
  @ApiCreatedResponse({ type: UserView })
  @ApiBadRequestResponse({ description: 'Invalid body or password policy', type: ProblemResponse })
  @ApiConflictResponse({ description: 'Email or username taken', type: ProblemResponse })
  @ApiForbiddenResponse({ description: 'Registration is closed', type: ProblemResponse })
  async register(@Body() dto: RegisterDto): Promise<UserView> {
    return UserView.of(await this.auth.register(dto));
  }

  @Post('login')
  @Public()
  @Throttled(THROTTLE_LIMITS.login)
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Sign in; also sets the httpOnly refresh cookie',
    description:
      'Also sets an httpOnly device cookie (Path=/auth/login). Failed logins lock a (username, ' +
      'client IP) pair after LOGIN_MAX_FAILURES, a username after 10 times that and a client IP ' +
      'after LOGIN_IP_MAX_FAILURES, for LOGIN_LOCK_SECONDS (429 with Retry-After). A client ' +
      'holding a device cookie from an earlier successful login as that user is counted only by ' +
      'its own failures, so others cannot lock it out.',
  })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiUnauthorizedResponse({ description: 'Invalid credentials', type: ProblemResponse })
  @ApiTooManyRequestsResponse({
    description: 'Throttled or locked; see Retry-After',
    type: ProblemResponse,
  })
  async login(
    @Body() dto: LoginDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenResponse> {
    const { tokens, deviceToken } = await this.auth.login(
      dto,
      clientOf(request),
      this.device.read(request),
    );
    this.cookie.set(reply, tokens.refresh_token, tokens.refresh_expires_in);
    if (deviceToken) this.device.set(reply, deviceToken);
    return tokens;
  }

  @Post('refresh')
  @Public()
  @Throttled(THROTTLE_LIMITS.refresh)
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Rotate a refresh token (body or cookie) into a new pair; reuse revokes the session',
  })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiUnauthorizedResponse({
    description: 'Invalid, expired or reused refresh token',
    type: ProblemResponse,
  })
  async refresh(
    @Body() dto: RefreshDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenResponse> {
    const presented = dto.refresh_token ?? this.cookie.read(request);
    if (!presented)
      throw new AppError(AppErrorCode.InvalidRefreshToken, 'A refresh token is required.');
    const tokens = await this.auth.refresh(presented, clientOf(request));
    this.cookie.set(reply, tokens.refresh_token, tokens.refresh_expires_in);
    return tokens;
  }

  @Post('logout')
  @Authenticated()
  @HttpCode(204)
  @ApiOperation({ summary: 'End the current session and clear the refresh cookie' })
  @ApiNoContentResponse()
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
  @ApiOperation({ summary: 'End every session of the caller' })
  @ApiNoContentResponse()
  async logoutAll(
    @CurrentUser() caller: AuthenticatedUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.sessions.endAll(caller.userId, 'logout-all');
    this.cookie.clear(reply);
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({ summary: 'The caller' })
  @ApiOkResponse({ type: MeDto })
  async me(@CurrentUser() caller: AuthenticatedUser): Promise<MeDto> {
    const user = await this.users.get(caller.userId);
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
  @ApiOperation({ summary: 'Change the password; every other session ends' })
  @ApiNoContentResponse()
  @ApiBadRequestResponse({
    description: 'The new password breaks the policy',
    type: ProblemResponse,
  })
  @ApiUnauthorizedResponse({ description: 'The current password is wrong', type: ProblemResponse })
  @ApiTooManyRequestsResponse({
    description: 'Too many wrong current passwords (see Brute force); Retry-After',
    type: ProblemResponse,
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
