import { Clock } from '../../../common/time/clock';
import { EmailVerificationStore } from '../email-verification.store';

/** Sweep expired tokens when this many are kept (an amortised scan; one process). */
const SWEEP_AT = 10_000;

/** Verification tokens in process memory: complete for one process, like the Redis driver. */
export class MemoryEmailVerificationStore implements EmailVerificationStore {
  private readonly tokens = new Map<string, { email: string; expiresAt: number }>();
  private sweepAt = SWEEP_AT;

  constructor(private readonly clock: Clock) {}

  save(userId: string, hash: string, email: string, ttlMs: number): Promise<void> {
    if (this.tokens.size >= this.sweepAt) this.sweep();
    this.tokens.set(`${userId}:${hash}`, { email, expiresAt: this.clock.now() + ttlMs });
    return Promise.resolve();
  }

  take(userId: string, hash: string): Promise<string | null> {
    const key = `${userId}:${hash}`;
    const token = this.tokens.get(key);
    // Read and delete in one synchronous step: concurrent takes cannot both see it.
    this.tokens.delete(key);
    return Promise.resolve(token && token.expiresAt > this.clock.now() ? token.email : null);
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [key, token] of this.tokens) if (token.expiresAt <= now) this.tokens.delete(key);
    this.sweepAt = Math.max(SWEEP_AT, this.tokens.size * 2);
  }
}
