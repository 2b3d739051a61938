import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyRequest } from 'fastify';
import { AppErrorCode } from '../../common/errors/app-error';
import { ApiProblem } from '../../common/openapi/api-problem.decorator';
import { HttpProblemCode } from '../../common/openapi/problem-types';
import { THROTTLE_LIMITS } from '../../throttle/throttle.limits';
import { Throttled } from '../../throttle/throttled.decorator';
import { clientOf } from '../auth.controller';
import { Public } from '../decorators/public.decorator';
import { ForgotPasswordDto } from './dto/forgot-password.dto';
import { ResetPasswordDto } from './dto/reset-password.dto';
import { PasswordResetService } from './password-reset.service';

const OFF = 'Password reset is off on this server (`PASSWORD_RESET=false`)';
const OFF_EXAMPLE = {
  code: AppErrorCode.NotFound,
  detail: 'Password reset is off on this server.',
};

/** A forgotten password: asking for a reset link by mail, and setting a new one with it. */
@ApiTags('auth')
@Controller('auth/password')
export class PasswordResetController {
  constructor(private readonly reset: PasswordResetService) {}

  @Post('forgot')
  @Public()
  @Throttled(THROTTLE_LIMITS.passwordForgot)
  @HttpCode(202)
  @ApiOperation({
    operationId: 'forgotPassword',
    summary: 'Mail a password reset link to an address, if it has an account',
    description:
      'Public, and the same `202` with no body, in the same time, whatever the address: it ' +
      'never tells whether an account exists, is deactivated, or has had its share of mails ' +
      '(at most 3 an hour per account, besides the per-IP limit). A mail goes out only for an ' +
      'active account with this email; it links `<APP_URL>/reset-password?token=…`, a page of ' +
      'the web app that posts the token and a new password to `POST /auth/password/reset`. ' +
      'The link works once, for 30 minutes, and only while the password is still the one it ' +
      'was mailed for. Asking does not change the password or end any session.',
  })
  @ApiAcceptedResponse({ description: 'Accepted; a mail follows if the address has an account' })
  @ApiProblem(
    '`email` is missing or not an email address',
    { code: AppErrorCode.ValidationFailed, detail: 'email must be an email address' },
    HttpProblemCode.BadRequest,
  )
  @ApiProblem(OFF, OFF_EXAMPLE)
  forgot(@Body() dto: ForgotPasswordDto, @Req() request: FastifyRequest): void {
    this.reset.forgot(dto.email, clientOf(request));
  }

  @Post('reset')
  @Public()
  @Throttled(THROTTLE_LIMITS.passwordReset)
  @HttpCode(204)
  @ApiOperation({
    operationId: 'resetPassword',
    summary: 'Set a new password with the token of the reset mail; every session ends',
    description:
      'Sets `newPassword` (under the password policy) for the account the token was mailed ' +
      'for, then ends **every** session of that user (their refresh tokens and access tokens ' +
      'stop working on every instance) and voids its device cookies. The token works once: ' +
      'a new password the policy refuses answers `400 validation-failed` and leaves the ' +
      'token usable for a better one. Sign in afterwards with `POST /auth/login`.',
  })
  @ApiNoContentResponse({ description: 'The password is set; every session has ended' })
  @ApiProblem(
    'The new password breaks the policy, or a field is missing: the token stays usable',
    {
      code: AppErrorCode.ValidationFailed,
      detail: 'password is too common',
      errors: [{ field: 'newPassword', message: 'password is too common' }],
    },
    HttpProblemCode.BadRequest,
  )
  @ApiProblem(
    'The token is unknown, used, expired, of a deactivated account, or the password changed ' +
      'since it was mailed: one answer for all. Ask for a new mail at `POST /auth/password/forgot`',
    AppErrorCode.InvalidResetToken,
  )
  @ApiProblem(OFF, OFF_EXAMPLE)
  async resetPassword(
    @Body() dto: ResetPasswordDto,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    await this.reset.reset(dto.token, dto.newPassword, clientOf(request));
  }
}
