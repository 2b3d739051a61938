import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Req,
} from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { FastifyRequest } from 'fastify';
import { AppErrorCode } from '../../common/errors/app-error';
import { ApiProblem } from '../../common/openapi/api-problem.decorator';
import { NO_STORE } from '../../common/openapi/response-headers';
import { THROTTLE_LIMITS } from '../../throttle/throttle.limits';
import { Throttled } from '../../throttle/throttled.decorator';
import { AuthenticatedUser } from '../../tokens/token.types';
import { clientOf } from '../auth.controller';
import { Authenticated } from '../decorators/authorize.decorator';
import { CurrentUser } from '../decorators/current-user.decorator';
import {
  CREATION_OPTIONS_SCHEMA,
  EXAMPLE_PASSKEY_ID,
  PasskeyDto,
  PasskeyOptionsDto,
  REGISTER_PASSKEY_BODY,
  RegisterPasskeyDto,
} from './dto/passkey.dto';
import { PasskeysService } from './passkeys.service';

export const PASSKEYS_OFF = 'Passkeys are off on this server (`PASSKEYS=false`)';
export const PASSKEYS_OFF_EXAMPLE = {
  code: AppErrorCode.NotFound,
  detail: 'Passkeys are off on this server.',
};

/** The caller's passkeys: register one, list them, remove one (docs/passkeys.md). */
@ApiTags('auth')
@Controller('auth/passkeys')
export class PasskeysController {
  constructor(private readonly passkeys: PasskeysService) {}

  @Post('options')
  @Authenticated({ enrolment: true })
  @Throttled(THROTTLE_LIMITS.passkeys, 'caller')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    operationId: 'createPasskeyRegistrationOptions',
    summary: 'Start registering a passkey: options for navigator.credentials.create()',
    description:
      'The password is required (counted like a login): a token alone cannot add a key that ' +
      'signs in as the user. The options ask for a discoverable credential with user ' +
      'verification, exclude the authenticators the user has registered, and hold a challenge ' +
      'valid for 2 minutes, once, for this session only (a new call from it replaces it; other ' +
      'sessions keep their own). Then send what the browser made to `POST /auth/passkeys` from ' +
      'the same session.',
  })
  @ApiOkResponse({
    description: 'PublicKeyCredentialCreationOptionsJSON',
    schema: CREATION_OPTIONS_SCHEMA,
    headers: NO_STORE,
  })
  @ApiProblem('`password` is missing or not a string', {
    code: AppErrorCode.ValidationFailed,
    detail: 'password must be a string',
  })
  @ApiProblem('The password is wrong (do not refresh on it)', AppErrorCode.WrongPassword)
  @ApiProblem('The account has 20 passkeys, the most allowed', AppErrorCode.TooManyPasskeys)
  @ApiProblem('Too many wrong passwords: locked for `Retry-After` seconds', {
    code: AppErrorCode.TooManyRequests,
    name: 'locked',
    detail: 'Too many failed logins; try again later.',
    retryAfterSeconds: 900,
  })
  @ApiProblem(PASSKEYS_OFF, PASSKEYS_OFF_EXAMPLE)
  options(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() dto: PasskeyOptionsDto,
    @Req() request: FastifyRequest,
  ): Promise<PublicKeyCredentialCreationOptionsJSON> {
    return this.passkeys.registrationOptions(caller, dto.password, clientOf(request));
  }

  @Post()
  @Authenticated({ enrolment: true })
  @Throttled(THROTTLE_LIMITS.passkeys, 'caller')
  @HttpCode(201)
  @ApiOperation({
    operationId: 'registerPasskey',
    summary: 'Finish registering a passkey: what navigator.credentials.create() made',
    description:
      'Checked: the challenge of the options this session asked for (used up either way), the origin ' +
      '(`WEBAUTHN_ORIGINS`), the RP ID (`WEBAUTHN_RP_ID`), user verification, and the ' +
      'attestation itself. The passkey then signs in at `POST /auth/login/passkey` and counts ' +
      'as a second factor. Every other session of the user ends (signed in with fewer ' +
      'factors); this one stays, unless it is enrolment-only (`MFA_REQUIRED_ROLES`): then it ' +
      'ends too, and the user signs in again, with the passkey.',
  })
  @ApiBody({ schema: REGISTER_PASSKEY_BODY })
  @ApiCreatedResponse({ description: 'The new passkey', type: PasskeyDto })
  @ApiProblem('The body is not a credential of the expected shape', {
    code: AppErrorCode.ValidationFailed,
    detail: 'credential.response.attestationObject must be base64url',
  })
  @ApiProblem(
    'No registration in progress in this session (none, expired, used, or asked by another ' +
      'session), the credential does not verify, the ' +
      'browser made it in a frame of another site (`crossOrigin`), or its key or id could not ' +
      'serve (an RSA modulus outside 2048–4096 bits, a key that does not import, an id over ' +
      '1023 bytes or not the attested one): ask for new options',
    AppErrorCode.InvalidPasskeyRegistration,
  )
  @ApiProblem(
    'The credential is registered already, to this account or to another (a credential id ' +
      'serves one account; which one holds it is not told), or the account has 20',
    AppErrorCode.PasskeyAlreadyRegistered,
    AppErrorCode.TooManyPasskeys,
  )
  @ApiProblem(PASSKEYS_OFF, PASSKEYS_OFF_EXAMPLE)
  async register(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() dto: RegisterPasskeyDto,
    @Req() request: FastifyRequest,
  ): Promise<PasskeyDto> {
    const credential = dto.credential as unknown as RegistrationResponseJSON;
    const passkey = await this.passkeys.register(caller, dto.name, credential, clientOf(request));
    return PasskeyDto.of(passkey);
  }

  @Get()
  @Authenticated()
  @Throttled(THROTTLE_LIMITS.sessions, 'caller')
  @ApiOperation({
    operationId: 'listPasskeys',
    summary: "The caller's passkeys, oldest first",
    description: 'Names, transports, when each was made and last signed in; never a key.',
  })
  @ApiOkResponse({ description: 'Every passkey of the caller (20 at most)', type: [PasskeyDto] })
  @ApiProblem(PASSKEYS_OFF, PASSKEYS_OFF_EXAMPLE)
  async list(@CurrentUser() caller: AuthenticatedUser): Promise<PasskeyDto[]> {
    return (await this.passkeys.list(caller)).map((passkey) => PasskeyDto.of(passkey));
  }

  @Delete(':id')
  @Authenticated()
  @Throttled(THROTTLE_LIMITS.passkeys, 'caller')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'removePasskey',
    summary: 'Remove one of your passkeys',
    description:
      'It no longer signs in (the authenticator may still offer it: tell the user to delete it ' +
      'there too). Sessions it started stay; end them at `DELETE /auth/sessions/{id}`.',
  })
  @ApiParam({
    name: 'id',
    description: 'A passkey id from GET /auth/passkeys',
    example: EXAMPLE_PASSKEY_ID,
  })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiProblem(
    'Your role requires a second factor (`MFA_REQUIRED_ROLES`) and this is your last one',
    {
      code: AppErrorCode.Forbidden,
      detail:
        'Your role requires a second factor: the last one cannot be removed (register another passkey or turn on TOTP first).',
    },
  )
  @ApiProblem(
    "Not one of your passkeys (whether someone else's exists is never told), or not a UUID",
    { code: AppErrorCode.NotFound, detail: 'No such passkey.' },
  )
  async remove(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 404 })) id: string,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    await this.passkeys.remove(caller, id, clientOf(request));
  }
}
