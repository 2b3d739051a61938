import { Clock } from '../../../common/time/clock';
import { ChallengeClaim, CodesReplacement, CodeUse, MfaStore, TotpFactor } from '../mfa.store';

interface Expiring<T> {
  value: T;
  expiresAt: number;
}

/**
 * Second factors in process memory: complete for one process, like RedisMfaStore. Every method
 * reads and writes in one synchronous step, so concurrent calls cannot interleave.
 */
export class MemoryMfaStore implements MfaStore {
  private readonly pending = new Map<string, Expiring<string>>();
  private readonly factors = new Map<string, TotpFactor & { step: number }>();
  private readonly codes = new Map<string, Set<string>>();
  private readonly attempts = new Map<string, Expiring<number>>();
  /** Claimed sign-in challenges, by `<userId>:<challengeId>`. */
  private readonly claims = new Map<string, Expiring<true>>();

  constructor(private readonly clock: Clock) {}

  savePending(userId: string, sealedSecret: string, ttlMs: number): Promise<void> {
    this.pending.set(userId, { value: sealedSecret, expiresAt: this.clock.now() + ttlMs });
    return Promise.resolve();
  }

  findPending(userId: string): Promise<string | null> {
    return Promise.resolve(this.live(this.pending, userId));
  }

  enable(
    userId: string,
    sealedSecret: string,
    recoveryHashes: string[],
    enabledAt: number,
    step: number,
  ): Promise<boolean> {
    if (this.factors.has(userId) || this.live(this.pending, userId) !== sealedSecret) {
      return Promise.resolve(false);
    }
    this.pending.delete(userId);
    this.factors.set(userId, { sealedSecret, enabledAt, codesVersion: 0, step });
    this.codes.set(userId, new Set(recoveryHashes));
    return Promise.resolve(true);
  }

  factor(userId: string): Promise<TotpFactor | null> {
    const factor = this.factors.get(userId);
    if (!factor) return Promise.resolve(null);
    const { sealedSecret, enabledAt, codesVersion } = factor;
    return Promise.resolve({ sealedSecret, enabledAt, codesVersion });
  }

  acceptStep(
    userId: string,
    sealedSecret: string,
    step: number,
    claim?: ChallengeClaim,
  ): Promise<CodeUse> {
    if (claim && this.claimed(userId, claim)) return Promise.resolve('claimed');
    const factor = this.factors.get(userId);
    if (!factor || factor.sealedSecret !== sealedSecret) return Promise.resolve('refused');
    if (step <= factor.step) return Promise.resolve('replayed');
    factor.step = step;
    if (claim) this.claim(userId, claim);
    return Promise.resolve('used');
  }

  useRecoveryCode(
    userId: string,
    hash: string,
    claim?: ChallengeClaim,
    codesVersion?: number,
  ): Promise<CodeUse> {
    if (claim && this.claimed(userId, claim)) return Promise.resolve('claimed');
    const version = this.factors.get(userId)?.codesVersion ?? 0;
    if (codesVersion !== undefined && version !== codesVersion) return Promise.resolve('stale');
    if (!this.codes.get(userId)?.delete(hash)) return Promise.resolve('refused');
    if (claim) this.claim(userId, claim);
    return Promise.resolve('used');
  }

  recoveryCodesLeft(userId: string): Promise<number> {
    return Promise.resolve(this.codes.get(userId)?.size ?? 0);
  }

  replaceRecoveryCodes(
    userId: string,
    sealedSecret: string,
    codesVersion: number,
    hashes: string[],
  ): Promise<CodesReplacement> {
    const factor = this.factors.get(userId);
    if (factor?.sealedSecret !== sealedSecret) return Promise.resolve('gone');
    if (factor.codesVersion !== codesVersion) return Promise.resolve('stale');
    factor.codesVersion++;
    this.codes.set(userId, new Set(hashes));
    return Promise.resolve('replaced');
  }

  disable(userId: string, sealedSecret?: string): Promise<boolean> {
    const factor = this.factors.get(userId);
    if (!factor || (sealedSecret !== undefined && factor.sealedSecret !== sealedSecret)) {
      return Promise.resolve(false);
    }
    this.factors.delete(userId);
    this.codes.delete(userId);
    this.pending.delete(userId);
    return Promise.resolve(true);
  }

  countChallengeAttempt(userId: string, challengeId: string, ttlMs: number): Promise<number> {
    this.sweep(this.attempts);
    const key = `${userId}:${challengeId}`;
    const now = this.clock.now();
    const entry = this.attempts.get(key);
    const count = entry && entry.expiresAt > now ? entry.value + 1 : 1;
    this.attempts.set(key, {
      value: count,
      expiresAt: count === 1 ? now + ttlMs : entry!.expiresAt,
    });
    return Promise.resolve(count);
  }

  private claimed(userId: string, claim: ChallengeClaim): boolean {
    return this.live(this.claims, `${userId}:${claim.id}`) !== null;
  }

  private claim(userId: string, claim: ChallengeClaim): void {
    this.sweep(this.claims);
    const expiresAt = this.clock.now() + claim.ttlMs;
    this.claims.set(`${userId}:${claim.id}`, { value: true, expiresAt });
  }

  private live<T>(map: Map<string, Expiring<T>>, key: string): T | null {
    const entry = map.get(key);
    return entry && entry.expiresAt > this.clock.now() ? entry.value : null;
  }

  /** Challenges last minutes: drop the expired ones when a map grows (amortised). */
  private sweep<T>(map: Map<string, Expiring<T>>): void {
    if (map.size < 10_000) return;
    const now = this.clock.now();
    for (const [key, entry] of map) if (entry.expiresAt <= now) map.delete(key);
  }
}
