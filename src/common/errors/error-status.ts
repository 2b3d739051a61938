import { HttpStatus } from '@nestjs/common';
import { AppErrorCode } from './app-error';

interface ErrorSpec {
  /** Nest's HttpStatus has no 426 Upgrade Required (RFC 9110 §15.5.22). */
  status: HttpStatus | 426;
  title: string;
}

/** The one table mapping domain errors to HTTP. */
export const ERROR_SPECS: Record<AppErrorCode, ErrorSpec> = {
  [AppErrorCode.ValidationFailed]: { status: 400, title: 'Validation failed' },
  [AppErrorCode.Unauthenticated]: { status: 401, title: 'Authentication required' },
  [AppErrorCode.InvalidToken]: { status: 401, title: 'Invalid token' },
  [AppErrorCode.InvalidCredentials]: { status: 401, title: 'Invalid credentials' },
  [AppErrorCode.InvalidRefreshToken]: { status: 401, title: 'Invalid refresh token' },
  [AppErrorCode.RefreshReused]: { status: 401, title: 'Invalid refresh token' },
  [AppErrorCode.WrongPassword]: { status: 401, title: 'Wrong password' },
  [AppErrorCode.Forbidden]: { status: 403, title: 'Forbidden' },
  [AppErrorCode.RegistrationClosed]: { status: 403, title: 'Registration is closed' },
  [AppErrorCode.EmailNotVerified]: { status: 403, title: 'Email not verified' },
  [AppErrorCode.InvalidVerificationToken]: { status: 400, title: 'Invalid verification token' },
  [AppErrorCode.InvalidResetToken]: { status: 400, title: 'Invalid reset token' },
  [AppErrorCode.MfaRequired]: { status: 403, title: 'Second factor required' },
  [AppErrorCode.MfaEnrolmentRequired]: { status: 403, title: 'Second factor enrolment required' },
  [AppErrorCode.InvalidMfaToken]: { status: 401, title: 'Invalid MFA token' },
  [AppErrorCode.InvalidMfaCode]: { status: 401, title: 'Invalid code' },
  [AppErrorCode.MfaAlreadyEnabled]: { status: 409, title: 'Second factor already on' },
  [AppErrorCode.MfaNotEnabled]: { status: 409, title: 'No second factor' },
  [AppErrorCode.MfaEnrolmentNotStarted]: { status: 409, title: 'No enrolment in progress' },
  [AppErrorCode.RecoveryCodesChanged]: { status: 409, title: 'Recovery codes changed meanwhile' },
  [AppErrorCode.InvalidPasskey]: { status: 401, title: 'Passkey sign-in failed' },
  [AppErrorCode.InvalidPasskeyRegistration]: { status: 400, title: 'Passkey not registered' },
  [AppErrorCode.PasskeyAlreadyRegistered]: { status: 409, title: 'Passkey already registered' },
  [AppErrorCode.TooManyPasskeys]: { status: 409, title: 'Too many passkeys' },
  [AppErrorCode.InvalidDpopProof]: { status: 400, title: 'Invalid DPoP proof' },
  [AppErrorCode.UseDpopNonce]: { status: 400, title: 'DPoP nonce required' },
  [AppErrorCode.CrossSiteRequest]: { status: 403, title: 'Cross-site request refused' },
  [AppErrorCode.NotFound]: { status: 404, title: 'Not found' },
  [AppErrorCode.EmailTaken]: { status: 409, title: 'Email already registered' },
  [AppErrorCode.UsernameTaken]: { status: 409, title: 'Username already taken' },
  [AppErrorCode.LastAdmin]: { status: 409, title: 'The last active admin must stay' },
  [AppErrorCode.UpgradeRequired]: { status: 426, title: 'Upgrade required' },
  [AppErrorCode.TooManyRequests]: { status: 429, title: 'Too many requests' },
  [AppErrorCode.StoreUnavailable]: { status: 503, title: 'Service unavailable' },
};

/** `type` URI of a problem: stable, documented per code. */
export function problemType(code: AppErrorCode | string): string {
  return `https://tessera.dev/problems/${code.replace(/_/g, '-')}`;
}
