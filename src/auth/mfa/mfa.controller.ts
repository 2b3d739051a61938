import { applyDecorators, Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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
  ConfirmTotpDto,
  MfaStatusDto,
  ProveFactorsDto,
  RecoveryCodesDto,
  TotpEnrolmentDto,
} from './dto/mfa.dto';
import { MfaService } from './mfa.service';

const OFF = 'Second factors are off on this server (`MFA_TOTP=false`)';
const OFF_EXAMPLE = {
  code: AppErrorCode.NotFound,
  detail: 'Second factors are off on this server.',
};
const LOCKED = {
  code: AppErrorCode.TooManyRequests,
  detail: 'Too many wrong codes; try again later.',
  retryAfterSeconds: 900,
};

/** The errors of a route that takes the password and a code (disable, renew codes). */
const ApiProvingFactors = () =>
  applyDecorators(
    ApiProblem('A field is missing or not a string', {
      code: AppErrorCode.ValidationFailed,
      detail: 'code must be a string',
    }),
    ApiProblem(
      'The password is wrong, or the code is (do not refresh on it)',
      AppErrorCode.WrongPassword,
      AppErrorCode.InvalidMfaCode,
    ),
    ApiProblem('The account has no second factor', AppErrorCode.MfaNotEnabled),
    ApiProblem('Too many wrong passwords or codes: locked for `Retry-After` seconds', LOCKED),
    ApiProblem(OFF, OFF_EXAMPLE),
  );

/** The caller's second factor: enrol, confirm, disable, renew recovery codes (docs/mfa.md). */
@ApiTags('auth')
@Controller('auth/mfa')
export class MfaController {
  constructor(private readonly mfa: MfaService) {}

  @Get()
  @Authenticated({ enrolment: true })
  @ApiOperation({
    operationId: 'getMfaStatus',
    summary: 'Whether the caller has a second factor, and how many recovery codes are left',
  })
  @ApiOkResponse({ description: 'The second-factor status', type: MfaStatusDto })
  @ApiProblem(OFF, OFF_EXAMPLE)
  status(@CurrentUser() caller: AuthenticatedUser): Promise<MfaStatusDto> {
    return this.mfa.status(caller);
  }

  @Post('totp')
  @Authenticated({ enrolment: true })
  @Throttled(THROTTLE_LIMITS.mfa)
  @HttpCode(200)
  @ApiOperation({
    operationId: 'enrolTotp',
    summary: 'Start a TOTP enrolment: a new secret, its otpauth:// URI and a QR code',
    description:
      'Scan `qr_code` (or type `secret`) into an authenticator app, then confirm with its ' +
      'first code at `POST /auth/mfa/totp/confirm` within 10 minutes; nothing changes before ' +
      'that. Starting again replaces the secret. SHA1, 6 digits, 30-second steps (RFC 6238), ' +
      'as every app reads them. The secret is stored encrypted.',
  })
  @ApiOkResponse({
    description: 'Enrolment started',
    type: TotpEnrolmentDto,
    headers: NO_STORE,
  })
  @ApiProblem('A second factor is on already: disable it first', AppErrorCode.MfaAlreadyEnabled)
  @ApiProblem(OFF, OFF_EXAMPLE)
  enrol(@CurrentUser() caller: AuthenticatedUser): Promise<TotpEnrolmentDto> {
    return this.mfa.enrol(caller);
  }

  @Post('totp/confirm')
  @Authenticated({ enrolment: true })
  @Throttled(THROTTLE_LIMITS.mfa)
  @HttpCode(200)
  @ApiOperation({
    operationId: 'confirmTotp',
    summary: 'Turn the second factor on with the password and a first code; ten recovery codes',
    description:
      'The password is required: an access token alone cannot put a factor between a user and ' +
      'their account. From now on, signing in needs a code after the password. The ten recovery codes are ' +
      'shown this once: each signs in once in place of a code. Every other session of the ' +
      'user ends (it was signed in with one factor); this one stays, unless it is an ' +
      'enrolment-only session (`MFA_REQUIRED_ROLES`), which ends: sign in again with the code.',
  })
  @ApiOkResponse({
    description: 'The second factor is on',
    type: RecoveryCodesDto,
    headers: NO_STORE,
  })
  @ApiProblem('`code` is missing or not a string', {
    code: AppErrorCode.ValidationFailed,
    detail: 'code must be longer than or equal to 1 characters',
  })
  @ApiProblem(
    "The password is wrong, or the code is not the app's current one (the enrolment stays)",
    AppErrorCode.WrongPassword,
    AppErrorCode.InvalidMfaCode,
  )
  @ApiProblem('Too many wrong passwords: locked for `Retry-After` seconds', {
    ...LOCKED,
    detail: 'Too many failed logins; try again later.',
  })
  @ApiProblem(
    'No enrolment in progress (or it expired), or a second factor is on already',
    AppErrorCode.MfaEnrolmentNotStarted,
    AppErrorCode.MfaAlreadyEnabled,
  )
  @ApiProblem(OFF, OFF_EXAMPLE)
  confirm(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() dto: ConfirmTotpDto,
    @Req() request: FastifyRequest,
  ): Promise<RecoveryCodesDto> {
    return this.mfa.confirm(caller, dto.password, dto.code, clientOf(request));
  }

  @Post('totp/disable')
  @Authenticated()
  @Throttled(THROTTLE_LIMITS.mfa)
  @HttpCode(204)
  @ApiOperation({
    operationId: 'disableTotp',
    summary: 'Turn the second factor off (the password and a code are both required)',
    description:
      "A recovery code works in place of the app's code. The recovery codes stop working. " +
      'A wrong password or code counts toward the same limits as failed logins and codes.',
  })
  @ApiNoContentResponse({ description: 'The second factor is off' })
  @ApiProvingFactors()
  async disable(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() dto: ProveFactorsDto,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    await this.mfa.disable(caller, dto.password, dto.code, clientOf(request));
  }

  @Post('recovery-codes')
  @Authenticated()
  @Throttled(THROTTLE_LIMITS.mfa)
  @HttpCode(200)
  @ApiOperation({
    operationId: 'renewRecoveryCodes',
    summary: 'Ten new recovery codes; the old ones stop working (password and a code required)',
    description:
      "A recovery code works in place of the app's code. Of concurrent renewals (two tabs, a " +
      'double click) one answers 200 and the others `409 recovery-codes-changed`: the codes ' +
      'of a 200 are always the ones that work. A renewal that finds the codes renewed before ' +
      'its own code was checked leaves that code unused.',
  })
  @ApiOkResponse({ description: 'The new codes', type: RecoveryCodesDto, headers: NO_STORE })
  @ApiProvingFactors()
  @ApiProblem(
    'Another renewal of the recovery codes won a race with this one: its codes are the ones ' +
      'that work (renew again for a set shown here)',
    AppErrorCode.RecoveryCodesChanged,
  )
  renew(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() dto: ProveFactorsDto,
    @Req() request: FastifyRequest,
  ): Promise<RecoveryCodesDto> {
    return this.mfa.renewRecoveryCodes(caller, dto.password, dto.code, clientOf(request));
  }
}
