/** Stable codes of every error a client can see. Mapped to HTTP in one table (error-status.ts). */
export enum AppErrorCode {
  ValidationFailed = 'validation_failed',
  Unauthenticated = 'unauthenticated',
  InvalidToken = 'invalid_token',
  InvalidCredentials = 'invalid_credentials',
  InvalidRefreshToken = 'invalid_refresh_token',
  RefreshReused = 'refresh_token_reused',
  WrongPassword = 'wrong_password',
  Forbidden = 'forbidden',
  RegistrationClosed = 'registration_closed',
  EmailNotVerified = 'email_not_verified',
  InvalidVerificationToken = 'invalid_verification_token',
  InvalidResetToken = 'invalid_reset_token',
  MfaRequired = 'mfa_required',
  MfaEnrolmentRequired = 'mfa_enrolment_required',
  InvalidMfaToken = 'invalid_mfa_token',
  InvalidMfaCode = 'invalid_mfa_code',
  MfaAlreadyEnabled = 'mfa_already_enabled',
  MfaNotEnabled = 'mfa_not_enabled',
  MfaEnrolmentNotStarted = 'mfa_enrolment_not_started',
  RecoveryCodesChanged = 'recovery_codes_changed',
  InvalidPasskey = 'invalid_passkey',
  InvalidPasskeyRegistration = 'invalid_passkey_registration',
  PasskeyAlreadyRegistered = 'passkey_already_registered',
  TooManyPasskeys = 'too_many_passkeys',
  InvalidDpopProof = 'invalid_dpop_proof',
  UseDpopNonce = 'use_dpop_nonce',
  CrossSiteRequest = 'cross_site_request',
  NotFound = 'not_found',
  EmailTaken = 'email_taken',
  UsernameTaken = 'username_taken',
  LastAdmin = 'last_admin',
  UpgradeRequired = 'upgrade_required',
  TooManyRequests = 'too_many_requests',
  StoreUnavailable = 'store_unavailable',
}

export interface FieldError {
  field: string;
  message: string;
}

/** A domain error: services throw it, the problem-details filter renders it. */
export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    readonly detail?: string,
    readonly extra: {
      errors?: FieldError[];
      retryAfterSeconds?: number;
      /** A 403 for a token lacking these scopes: rendered as RFC 6750 insufficient_scope. */
      requiredScopes?: readonly string[];
      /**
       * A DPoP refusal (RFC 9449): the `WWW-Authenticate: DPoP` challenge of a resource's 401,
       * and the `DPoP-Nonce` to retry with.
       */
      dpop?: {
        error: 'invalid_dpop_proof' | 'use_dpop_nonce' | 'invalid_token';
        algs: string[];
        nonce?: string;
      };
      /** RFC 9457 extension members of the problem (e.g. the `mfa_token` of `mfa-required`). */
      members?: Record<string, string | number | readonly string[]>;
    } = {},
  ) {
    super(detail ?? code);
    this.name = 'AppError';
  }
}
