import { Inject, Injectable } from '@nestjs/common';
import { AuditEventType } from '../../audit/audit-event';
import { AuditService } from '../../audit/audit.service';
import { AppError, AppErrorCode } from '../../common/errors/app-error';
import { securityConfig, SecurityConfig } from '../../config/configuration';
import { ClientInfo } from '../../tokens/token.types';
import { DeviceTokens } from './device-token';
import {
  Counter,
  CounterState,
  InjectLoginAttemptStore,
  isLocked,
  LoginAttemptStore,
  Reservation,
} from './login-attempt.store';
import {
  counterKind,
  deviceCounters,
  secondFactorCounters,
  subjectKey,
  untrustedCounters,
} from './login-lockout.policy';

/** What one admitted attempt has reserved, and so what its outcome settles. */
export interface LoginAttempt {
  /** The counters this attempt was counted on. */
  counters: Counter[];
  /** Counters this attempt brought to their limit: their lock stands if it fails. */
  reachedLimit: Counter[];
  /** Forgotten on success: the (subject, IP) pair, whichever counters were reserved. */
  resetOnSuccess: string[];
  userId: string | null;
  ip: string | null;
}

/**
 * Online-guessing defence (docs/brute-force.md; OWASP "Slow Down Online Guessing Attacks
 * with Device Cookies"). A client without a valid device cookie is counted per (user, IP), per
 * user and per IP, where "user" is the user's id when the login names one (username and email
 * share one budget) and the normalised submitted text otherwise. A client with a device cookie
 * of that very user is counted only per device and over all of that user's known devices together
 * (a bounded number, see DeviceTokens): failures from elsewhere never hold it back, so
 * locking a victim out by failing on their username costs the attacker nothing but does the
 * victim no harm.
 *
 * Every attempt is counted before its password is checked and taken back on success: checking
 * first and counting after argon2 let concurrent guesses all pass the check (60 parallel wrong
 * passwords against a limit of 5 all ran argon2). Now at most `limit` run per window.
 */
@Injectable()
export class BruteForceService {
  constructor(
    @Inject(securityConfig.KEY) private readonly limits: SecurityConfig,
    @InjectLoginAttemptStore() private readonly store: LoginAttemptStore,
    private readonly devices: DeviceTokens,
    private readonly audit: AuditService,
  ) {}

  /**
   * Reserves one attempt or throws 429 with Retry-After. Call before any password is checked: a
   * locked client costs one store call, never an argon2 run. `user` is who `login` names (null
   * when nobody; `login` only counts then): a device cookie counts only for that user.
   */
  async admit(
    login: string,
    client: ClientInfo,
    user: { id: string } | null,
    deviceToken?: string,
  ): Promise<LoginAttempt> {
    const untrusted = untrustedCounters(subjectKey(login, user), client.ip, this.limits);
    const base = { userId: user?.id ?? null, ip: client.ip, resetOnSuccess: [untrusted[0].key] };
    const deviceId = user && deviceToken ? await this.devices.verify(deviceToken, user.id) : null;
    if (deviceId && user) {
      // Its own failures, and those of every device of the user together: devices are no
      // unlimited supply of fresh budgets, while others' failures still never hold them back.
      const device = await this.reserve(deviceCounters(deviceId, user.id, this.limits));
      // A device locked by its own failures is an untrusted client again (OWASP's lockout list).
      if (device.admitted) return { ...base, ...reserved(device.states) };
    }
    const attempt = await this.reserve(untrusted);
    if (!attempt.admitted) refuse(attempt.states);
    return { ...base, ...reserved(attempt.states) };
  }

  /**
   * Reserves one second-factor code check of `userId` (sign-in, disabling MFA, renewing recovery
   * codes) or throws 429 with Retry-After: the user's wrong codes over every client together
   * lock like login's (SECOND_FACTOR_LIMIT_FACTOR). Settle it with `failed` or `succeeded`.
   */
  async admitSecondFactor(userId: string, client: ClientInfo): Promise<LoginAttempt> {
    const attempt = await this.reserve(secondFactorCounters(userId, this.limits));
    if (!attempt.admitted) refuse(attempt.states, 'Too many wrong codes; try again later.');
    return { userId, ip: client.ip, resetOnSuccess: [], ...reserved(attempt.states) };
  }

  /** The attempt failed: it is counted already; audits every lock it starts. */
  failed(attempt: LoginAttempt): Promise<void> {
    for (const counter of attempt.reachedLimit) {
      this.audit.record({
        event: AuditEventType.AccountLocked,
        userId: attempt.userId,
        ip: attempt.ip,
        details: { lock: counterKind(counter), seconds: this.limits.loginLockSeconds },
      });
    }
    return Promise.resolve();
  }

  /**
   * The attempt succeeded: forgets the pair and the device's failures, and takes the reservation
   * back from the per-user and per-IP counters, so a real user's logins never count as failures
   * there (other clients' failures on them stay counted).
   */
  async succeeded(attempt: LoginAttempt): Promise<void> {
    const forget = (c: Counter) => ['pair', 'device'].includes(counterKind(c));
    const device = attempt.counters.filter((c) => counterKind(c) === 'device');
    const refunds = attempt.counters.filter((c) => !forget(c)).map((c) => c.key);
    await Promise.all([
      this.store.reset([...attempt.resetOnSuccess, ...device.map((c) => c.key)]),
      this.store.refund(refunds),
    ]);
  }

  /**
   * A fresh device cookie value for a client that has just logged in as `userId` under the
   * credential `generation`; null when the generation moved on (then no cookie is set).
   */
  deviceToken(userId: string, generation: number): Promise<string | null> {
    return this.devices.issue(userId, generation);
  }

  /**
   * The device id of a device cookie value that this service issued to `userId` (MAC and expiry
   * checked, not whether it still counts as known): which client presents a refresh token.
   */
  deviceOf(deviceToken: string, userId: string): Promise<string | null> {
    return this.devices.signedId(deviceToken, userId);
  }

  private reserve(counters: Counter[]): Promise<Reservation> {
    return this.store.reserve(counters, this.limits.loginLockSeconds * 1000);
  }
}

function reserved(states: CounterState[]): Pick<LoginAttempt, 'counters' | 'reachedLimit'> {
  return {
    counters: states.map((s) => s.counter),
    reachedLimit: states.filter((s) => s.count === s.counter.limit).map((s) => s.counter),
  };
}

function refuse(
  states: CounterState[],
  detail = 'Too many failed logins; try again later.',
): never {
  const retryAfterMs = Math.max(...states.filter(isLocked).map((s) => s.retryAfterMs), 1000);
  // The same answer whichever counter is locked and whether or not the user exists.
  throw new AppError(AppErrorCode.TooManyRequests, detail, {
    retryAfterSeconds: Math.ceil(retryAfterMs / 1000),
  });
}
