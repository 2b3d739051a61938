import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AppErrorCode } from '../../common/errors/app-error';
import { ApiProblem } from '../../common/openapi/api-problem.decorator';
import { HttpProblemCode } from '../../common/openapi/problem-types';
import { THROTTLE_LIMITS } from '../../throttle/throttle.limits';
import { Throttled } from '../../throttle/throttled.decorator';
import { Public } from '../decorators/public.decorator';
import { ResendVerificationDto } from './dto/resend-verification.dto';
import { VerifyEmailDto } from './dto/verify-email.dto';
import { EmailVerificationService } from './email-verification.service';

const OFF = 'Email verification is off on this server (`EMAIL_VERIFICATION=false`)';

/** Proving an email address: the link of the verification mail, and asking for a new one. */
@ApiTags('auth')
@Controller('auth/email/verify')
export class EmailVerificationController {
  constructor(private readonly verification: EmailVerificationService) {}

  @Post()
  @Public()
  @Throttled(THROTTLE_LIMITS.emailVerify)
  @HttpCode(204)
  @ApiOperation({
    operationId: 'verifyEmail',
    summary: 'Verify an email address with the token of the verification mail',
    description:
      'Registration mails a link `<APP_URL>/verify-email?token=…`; the web app page it opens ' +
      'posts the `token` here. The token works once, for 24 hours, and only while the account ' +
      'still has the email it was mailed to. Afterwards the user has `emailVerified: true`, and ' +
      'access tokens issued from then on (a login or a refresh) carry `email_verified: true`. ' +
      'Verifying an address that is already verified succeeds as well.',
  })
  @ApiNoContentResponse({ description: 'The email is verified' })
  @ApiProblem(
    '`token` is missing, not a string, or over 200 characters',
    { code: AppErrorCode.ValidationFailed, detail: 'token must be a string' },
    HttpProblemCode.BadRequest,
  )
  @ApiProblem(
    'The token is unknown, used, expired, or for an email the account no longer has: ask for ' +
      'a new mail at `POST /auth/email/verify/resend`',
    AppErrorCode.InvalidVerificationToken,
  )
  @ApiProblem(OFF, {
    code: AppErrorCode.NotFound,
    detail: 'Email verification is off on this server.',
  })
  async verify(@Body() dto: VerifyEmailDto): Promise<void> {
    await this.verification.verify(dto.token);
  }

  @Post('resend')
  @Public()
  @Throttled(THROTTLE_LIMITS.emailVerifyResend)
  @HttpCode(202)
  @ApiOperation({
    operationId: 'resendVerificationEmail',
    summary: 'Mail a new verification link to an address, if it has an unverified account',
    description:
      'Public, and the same `202` with no body whatever the address: it never tells whether ' +
      'an account exists, is verified already, or has had its share of mails (at most 3 an ' +
      'hour per account, besides the per-IP limit). A mail goes out only for an active ' +
      'account with this email that is not verified yet; earlier links keep working until ' +
      'they expire.',
  })
  @ApiAcceptedResponse({ description: 'Accepted; a mail follows if the address needs one' })
  @ApiProblem(
    '`email` is missing or not an email address',
    { code: AppErrorCode.ValidationFailed, detail: 'email must be an email address' },
    HttpProblemCode.BadRequest,
  )
  @ApiProblem(OFF, {
    code: AppErrorCode.NotFound,
    detail: 'Email verification is off on this server.',
  })
  resend(@Body() dto: ResendVerificationDto): void {
    this.verification.resend(dto.email);
  }
}
