import { Clock } from '../../common/time/clock';

/** Sweep expired tokens when this many are kept (an amortised scan; one process). */
const SWEEP_AT = 10_000;

/**
 * Mailed single-use tokens (their hashes) in process memory, each with the one value it is bound
 * to: complete for one process, like RedisUserTokenStore. Shared by the email verification and
 * password reset stores.
 */
export class MemoryUserTokenStore {
  private readonly tokens = new Map<string, { value: string; expiresAt: number }>();
  private sweepAt = SWEEP_AT;

  constructor(private readonly clock: Clock) {}

  save(userId: string, hash: string, value: string, ttlMs: number): Promise<void> {
    if (this.tokens.size >= this.sweepAt) this.sweep();
    this.tokens.set(`${userId}:${hash}`, { value, expiresAt: this.clock.now() + ttlMs });
    return Promise.resolve();
  }

  /** The value of a live token, leaving it in place. */
  find(userId: string, hash: string): Promise<string | null> {
    return Promise.resolve(this.live(`${userId}:${hash}`));
  }

  take(userId: string, hash: string): Promise<string | null> {
    const key = `${userId}:${hash}`;
    const value = this.live(key);
    // Read and delete in one synchronous step: concurrent takes cannot both see it.
    this.tokens.delete(key);
    return Promise.resolve(value);
  }

  private live(key: string): string | null {
    const token = this.tokens.get(key);
    return token && token.expiresAt > this.clock.now() ? token.value : null;
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [key, token] of this.tokens) if (token.expiresAt <= now) this.tokens.delete(key);
    this.sweepAt = Math.max(SWEEP_AT, this.tokens.size * 2);
  }
}
