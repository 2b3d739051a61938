import { AuditEvent, AuditEventType } from './audit-event';

/** How many events of each type the trail keeps. */
export type AuditRetention = Readonly<Record<AuditEventType, number>>;

/**
 * The trail keeps the newest events of each type, up to these counts; older ones fall off.
 *
 * The bound is per type, not one cap shared by all, and within a type anonymous events (no user)
 * and users' events are kept apart, each up to the count: a flood of one type (bad tokens, failed
 * logins, scripted logins) can only push out older events of that same type and kind — anonymous
 * noise never a user's history — never a
 * REFRESH_REUSE_DETECTED, an ACCOUNT_LOCKED or a USER_DELETED. Together the bounds cap the
 * store: 261 000 events at about 1.1 KB each in Redis (measured: a 330-byte event, its hash and
 * its four index entries) is about 287 MB at the very most, reached only when every type is
 * full; the memory driver holds the same events. The routine, high-volume types keep more so
 * that a busy day stays searchable; the others keep 10 000, far more than they produce in a
 * day; key rotations happen a few times a year.
 */
export const AUDIT_RETENTION: AuditRetention = {
  [AuditEventType.LoginSuccess]: 20_000,
  [AuditEventType.TokenIssued]: 20_000,
  [AuditEventType.TokenRefreshed]: 20_000,
  [AuditEventType.LoginFailed]: 10_000,
  [AuditEventType.AccountLocked]: 10_000,
  [AuditEventType.TokenRevoked]: 10_000,
  [AuditEventType.RefreshReuseDetected]: 10_000,
  [AuditEventType.SessionRevoked]: 10_000,
  [AuditEventType.PasswordChanged]: 10_000,
  [AuditEventType.UserCreated]: 10_000,
  [AuditEventType.UserUpdated]: 10_000,
  [AuditEventType.UserDeleted]: 10_000,
  [AuditEventType.TokenInvalid]: 10_000,
  [AuditEventType.KeyRotated]: 1_000,
  [AuditEventType.MailFailed]: 10_000,
  [AuditEventType.EmailVerified]: 10_000,
  [AuditEventType.PasswordResetRequested]: 10_000,
  [AuditEventType.PasswordReset]: 10_000,
  [AuditEventType.MfaEnabled]: 5_000,
  [AuditEventType.MfaChallenged]: 10_000,
  [AuditEventType.MfaDisabled]: 5_000,
  [AuditEventType.MfaFailed]: 10_000,
  [AuditEventType.RecoveryCodeUsed]: 5_000,
  [AuditEventType.RecoveryCodesRenewed]: 5_000,
  [AuditEventType.PasskeyRegistered]: 5_000,
  [AuditEventType.PasskeyRemoved]: 5_000,
  [AuditEventType.PasskeyCounterRegressed]: 10_000,
};

/** Events that anyone can cause: how many per client a window records on their own. */
interface NoiseRule {
  perWindow: number;
  windowMs: number;
  /** Limit only events that name no user (a login naming nobody, not a user's failures). */
  anonymousOnly?: boolean;
}

/**
 * TOKEN_INVALID needs no account: anyone can send bad tokens as fast as the server answers.
 * Per client IP and reason, the first 10 in a fixed minute are recorded as they are; the 11th
 * is recorded as a summary whose `details.count` the store then raises, atomically and on
 * every instance, for each further one in that minute. A flood of any size thus costs at most
 * 11 events per client, reason and minute, and says how big it was.
 */
const NOISE_RULES: Partial<Record<AuditEventType, NoiseRule>> = {
  [AuditEventType.TokenInvalid]: { perWindow: 10, windowMs: 60_000 },
  // Failed logins for usernames that exist are bounded by the brute-force counters and are a
  // user's history; those naming nobody are anyone's noise, limited like bad tokens.
  [AuditEventType.LoginFailed]: { perWindow: 10, windowMs: 60_000, anonymousOnly: true },
};

/** How a store rate-limits one event: `perWindow` events per `key` in each window. */
export interface NoiseLimit extends NoiseRule {
  key: string;
}

/** The limit that applies to `event`, if its type is noise: one budget per client and reason. */
export function noiseLimitOf(event: AuditEvent): NoiseLimit | undefined {
  const rule = NOISE_RULES[event.event];
  if (!rule || (rule.anonymousOnly && event.userId !== null)) return undefined;
  const reason = typeof event.details.reason === 'string' ? event.details.reason : '';
  return {
    perWindow: rule.perWindow,
    windowMs: rule.windowMs,
    key: `${event.event}|${event.ip ?? ''}|${reason}`,
  };
}

/**
 * The summary that stands for every event over the limit in one window: the first of them,
 * with `details.summary` true, `details.count` (how many it stands for, itself included;
 * stores raise it in place) and `details.windowSeconds`.
 */
export function summaryOf(event: AuditEvent, limit: NoiseLimit): AuditEvent {
  const details = {
    ...event.details,
    summary: true,
    count: 1,
    windowSeconds: limit.windowMs / 1000,
  };
  return { ...event, details };
}
