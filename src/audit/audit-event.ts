/** Every event of the audit trail (docs/audit.md). */
export enum AuditEventType {
  LoginSuccess = 'LOGIN_SUCCESS',
  LoginFailed = 'LOGIN_FAILED',
  AccountLocked = 'ACCOUNT_LOCKED',
  TokenIssued = 'TOKEN_ISSUED',
  TokenRefreshed = 'TOKEN_REFRESHED',
  TokenRevoked = 'TOKEN_REVOKED',
  RefreshReuseDetected = 'REFRESH_REUSE_DETECTED',
  SessionRevoked = 'SESSION_REVOKED',
  PasswordChanged = 'PASSWORD_CHANGED',
  UserCreated = 'USER_CREATED',
  UserUpdated = 'USER_UPDATED',
  UserDeleted = 'USER_DELETED',
  TokenInvalid = 'TOKEN_INVALID',
  KeyRotated = 'KEY_ROTATED',
  /** A mail was given up (every try failed, or the queue was full); never holds its link. */
  MailFailed = 'MAIL_FAILED',
  EmailVerified = 'EMAIL_VERIFIED',
  /** A reset link was asked for an existing account; never holds the address or the link. */
  PasswordResetRequested = 'PASSWORD_RESET_REQUESTED',
  PasswordReset = 'PASSWORD_RESET',
  MfaEnabled = 'MFA_ENABLED',
  /** A right password of a user with a second factor: the login waits for a code (never its token). */
  MfaChallenged = 'MFA_CHALLENGED',
  MfaDisabled = 'MFA_DISABLED',
  /** A wrong second-factor code (sign-in, disabling, renewing codes); never holds the code. */
  MfaFailed = 'MFA_FAILED',
  RecoveryCodeUsed = 'RECOVERY_CODE_USED',
  /** New recovery codes replaced the old ones (never a code). */
  RecoveryCodesRenewed = 'RECOVERY_CODES_RENEWED',
  PasskeyRegistered = 'PASSKEY_REGISTERED',
  PasskeyRemoved = 'PASSKEY_REMOVED',
  /** A verified passkey signature whose counter did not go forward: the key may be cloned. */
  PasskeyCounterRegressed = 'PASSKEY_COUNTER_REGRESSED',
}

export type AuditSeverity = 'info' | 'warning' | 'critical';

/**
 * What a caller records. `details` holds ids, reasons and counts only: never a password, a whole
 * token or a refresh-token secret (a test searches the trail for every secret it used).
 */
export interface AuditInput {
  event: AuditEventType;
  userId?: string | null;
  ip?: string | null;
  details?: Record<string, string | number | boolean | string[] | null>;
}

/** An event as stored and served by GET /admin/audit. */
export interface AuditEvent {
  id: string;
  /** ISO 8601. */
  time: string;
  event: AuditEventType;
  severity: AuditSeverity;
  userId: string | null;
  ip: string | null;
  /** The id of the HTTP request that caused it (as in the logs), null outside a request. */
  requestId: string | null;
  details: Record<string, unknown>;
}

export const AUDIT_SEVERITY: Record<AuditEventType, AuditSeverity> = {
  [AuditEventType.LoginSuccess]: 'info',
  [AuditEventType.LoginFailed]: 'warning',
  [AuditEventType.AccountLocked]: 'warning',
  [AuditEventType.TokenIssued]: 'info',
  [AuditEventType.TokenRefreshed]: 'info',
  [AuditEventType.TokenRevoked]: 'info',
  [AuditEventType.RefreshReuseDetected]: 'critical',
  [AuditEventType.SessionRevoked]: 'info',
  [AuditEventType.PasswordChanged]: 'info',
  [AuditEventType.UserCreated]: 'info',
  [AuditEventType.UserUpdated]: 'info',
  [AuditEventType.UserDeleted]: 'warning',
  [AuditEventType.TokenInvalid]: 'warning',
  [AuditEventType.KeyRotated]: 'info',
  [AuditEventType.MailFailed]: 'warning',
  [AuditEventType.EmailVerified]: 'info',
  [AuditEventType.PasswordResetRequested]: 'info',
  [AuditEventType.PasswordReset]: 'info',
  [AuditEventType.MfaEnabled]: 'info',
  [AuditEventType.MfaChallenged]: 'info',
  [AuditEventType.MfaDisabled]: 'warning',
  [AuditEventType.MfaFailed]: 'warning',
  [AuditEventType.RecoveryCodeUsed]: 'warning',
  [AuditEventType.RecoveryCodesRenewed]: 'warning',
  [AuditEventType.PasskeyRegistered]: 'info',
  [AuditEventType.PasskeyRemoved]: 'warning',
  [AuditEventType.PasskeyCounterRegressed]: 'critical',
};
