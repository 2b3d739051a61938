import { Body, Controller, Header, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { FastifyReply, FastifyRequest } from 'fastify';
import { AppErrorCode } from '../../common/errors/app-error';
import { ApiProblem } from '../../common/openapi/api-problem.decorator';
import { NO_STORE, SET_LOGIN_COOKIES } from '../../common/openapi/response-headers';
import { THROTTLE_LIMITS } from '../../throttle/throttle.limits';
import { Throttled } from '../../throttle/throttled.decorator';
import { TokenResponse } from '../../tokens/token.types';
import { clientOf } from '../auth.controller';
import { AuthService, EMAIL_NOT_VERIFIED_DETAIL } from '../auth.service';
import { DeviceCookie } from '../brute-force/device-cookie';
import { ApiDpopTokenRequest } from '../dpop/api-dpop.decorator';
import { DpopService } from '../dpop/dpop.service';
import { Public } from '../decorators/public.decorator';
import { TokenResponseDto } from '../dto/token-response.dto';
import { RefreshCookie } from '../refresh-cookie';
import { PasskeyLoginDto, PASSKEY_LOGIN_BODY, REQUEST_OPTIONS_SCHEMA } from './dto/passkey.dto';
import { PasskeySignInService } from './passkey-sign-in.service';
import { PASSKEYS_OFF, PASSKEYS_OFF_EXAMPLE } from './passkeys.controller';

/** Sign-in with a passkey, usernameless (docs/passkeys.md). In AuthModule: it starts sessions. */
@ApiTags('auth')
@Controller('auth/login/passkey')
export class PasskeyLoginController {
  constructor(
    private readonly signIn: PasskeySignInService,
    private readonly auth: AuthService,
    private readonly cookie: RefreshCookie,
    private readonly device: DeviceCookie,
    private readonly dpop: DpopService,
  ) {}

  @Post('options')
  @Public()
  @Throttled(THROTTLE_LIMITS.loginPasskeyOptions)
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    operationId: 'createPasskeyLoginOptions',
    summary: 'Start a passkey sign-in: options for navigator.credentials.get()',
    description:
      'No account is named (the authenticator offers the passkeys it holds for this site). ' +
      'The challenge works once, for 2 minutes. Then send what the browser signed to ' +
      '`POST /auth/login/passkey`.',
  })
  @ApiOkResponse({
    description: 'PublicKeyCredentialRequestOptionsJSON',
    schema: REQUEST_OPTIONS_SCHEMA,
    headers: NO_STORE,
  })
  @ApiProblem(PASSKEYS_OFF, PASSKEYS_OFF_EXAMPLE)
  options(): Promise<PublicKeyCredentialRequestOptionsJSON> {
    return this.signIn.options();
  }

  @Post()
  @Public()
  @Throttled(THROTTLE_LIMITS.loginPasskey)
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    operationId: 'loginWithPasskey',
    summary: 'Sign in with a passkey: what navigator.credentials.get() signed',
    description:
      'Answers like a login (tokens, refresh and device cookies). Checked: the challenge (ours, ' +
      'unused, 2 minutes; used up now), the passkey (registered by the account its user handle ' +
      'names), the signature, the origin (`WEBAUTHN_ORIGINS`), the RP ID, user verification, ' +
      'and the signature counter (one that does not go forward is refused and audited: the key ' +
      'may be cloned). A passkey is two factors: no TOTP code is asked after it. Access tokens ' +
      'say `amr: ["hwk", "user", "mfa"]`, or `["swk", "user", "mfa"]` for a synced passkey.',
  })
  @ApiBody({ schema: PASSKEY_LOGIN_BODY })
  @ApiOkResponse({
    description: 'Signed in: a new session',
    type: TokenResponseDto,
    headers: { ...NO_STORE, ...SET_LOGIN_COOKIES },
  })
  @ApiProblem('The body is not a credential of the expected shape', {
    code: AppErrorCode.ValidationFailed,
    detail: 'credential.response.signature must be base64url',
  })
  @ApiProblem(
    'Refused, one answer for every cause (unknown passkey, wrong origin, used challenge, …): ' +
      'ask for new options and try again',
    AppErrorCode.InvalidPasskey,
  )
  @ApiProblem('`REQUIRE_VERIFIED_EMAIL=true` and a user whose email is not verified', {
    code: AppErrorCode.EmailNotVerified,
    detail: EMAIL_NOT_VERIFIED_DETAIL,
  })
  @ApiProblem(PASSKEYS_OFF, PASSKEYS_OFF_EXAMPLE)
  @ApiDpopTokenRequest()
  async login(
    @Body() dto: PasskeyLoginDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenResponse> {
    // A DPoP proof (RFC 9449) binds the session to the client's key, as on every login route;
    // checked before the challenge is used up.
    const jkt = await this.dpop.forTokenRequest(request);
    const credential = dto.credential as unknown as AuthenticationResponseJSON;
    const client = clientOf(request);
    const result = await this.auth.loginWithPasskey(credential, dto.scope, client, jkt);
    this.cookie.set(reply, result.tokens.refresh_token, result.tokens.refresh_expires_in);
    if (result.deviceToken) this.device.set(reply, result.deviceToken);
    if (this.dpop.noncesRequired) void reply.header('dpop-nonce', this.dpop.nonce());
    return result.tokens;
  }
}
