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
} from './login-attempt.store';
import { counterKind, deviceCounter, untrustedCounters } from './login-lockout.policy';

/** What one admitted login attempt counts on failure and forgets on success. */
export interface LoginAttempt {
  counters: Counter[];
  resetOnSuccess: string[];
  userId: string | null;
  ip: string | null;
}

/**
 * Online-guessing defence (shared/API.md, Brute force; OWASP "Slow Down Online Guessing Attacks
 * with Device Cookies"). A client without a valid device cookie is counted per (username, IP),
 * per username and per IP. A client with a device cookie of that very user is counted only per
 * device: failures from elsewhere never hold it back, so locking a victim out by failing on
 * their username costs the attacker nothing but does the victim no harm.
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
   * Admits an attempt or throws 429 with Retry-After. Call before any password is checked: a
   * locked client costs a store read, never an argon2 run. `user` is who the username names
   * (null when nobody): a device cookie counts only for that user.
   */
  async admit(
    username: string,
    client: ClientInfo,
    user: { id: string } | null,
    deviceToken?: string,
  ): Promise<LoginAttempt> {
    const [pair, ...others] = untrustedCounters(username, client.ip, this.limits);
    const base = { userId: user?.id ?? null, ip: client.ip, resetOnSuccess: [pair.key] };
    const deviceId = user && deviceToken ? await this.devices.verify(deviceToken, user.id) : null;
    if (deviceId) {
      const device = deviceCounter(deviceId, this.limits);
      const [state] = await this.store.read([device]);
      // A device locked by its own failures is an untrusted client again (OWASP's lockout list).
      if (!isLocked(state)) return { ...base, counters: [device] };
    }
    const counters = [pair, ...others];
    this.refuseIfLocked(await this.store.read(counters));
    return { ...base, counters };
  }

  /** Counts a failed attempt; audits every lock it starts. */
  async failed(attempt: LoginAttempt): Promise<void> {
    const states = await this.store.fail(attempt.counters, this.limits.loginLockSeconds * 1000);
    for (const state of states) {
      if (state.count !== state.counter.limit) continue;
      this.audit.record({
        event: AuditEventType.AccountLocked,
        userId: attempt.userId,
        ip: attempt.ip,
        details: { lock: counterKind(state.counter), seconds: this.limits.loginLockSeconds },
      });
    }
  }

  /** Forgets the attempt's (username, IP) counter and its device's failures. */
  async succeeded(attempt: LoginAttempt): Promise<void> {
    const device = attempt.counters.find((c) => counterKind(c) === 'device');
    await this.store.reset([...attempt.resetOnSuccess, ...(device ? [device.key] : [])]);
  }

  /** A fresh device cookie value for a client that has just logged in as `userId`. */
  deviceToken(userId: string): Promise<string> {
    return this.devices.issue(userId);
  }

  private refuseIfLocked(states: CounterState[]): void {
    const locked = states.filter(isLocked);
    if (locked.length === 0) return;
    const retryAfterMs = Math.max(...locked.map((s) => s.retryAfterMs));
    // The same answer whichever counter is locked and whether or not the user exists.
    throw new AppError(AppErrorCode.TooManyRequests, 'Too many failed logins; try again later.', {
      retryAfterSeconds: Math.ceil(retryAfterMs / 1000),
    });
  }
}
