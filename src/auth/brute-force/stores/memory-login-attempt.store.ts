import { randomBytes } from 'node:crypto';
import { Clock } from '../../../common/time/clock';
import {
  Counter,
  CounterState,
  isLocked,
  LoginAttemptStore,
  Reservation,
} from '../login-attempt.store';

interface Entry {
  count: number;
  expiresAt: number;
}

/** Sweep expired counters every this many writes, so memory stays bounded without a timer. */
const SWEEP_EVERY = 1000;

/**
 * Failed-login counters in process memory, with the Redis driver's semantics (fixed windows by
 * the injected Clock). Single-threaded JavaScript makes each call atomic, like the scripts.
 */
export class MemoryLoginAttemptStore implements LoginAttemptStore {
  private readonly entries = new Map<string, Entry>();
  private readonly secret = randomBytes(32);
  private writes = 0;

  constructor(private readonly clock: Clock) {}

  read(counters: Counter[]): Promise<CounterState[]> {
    return Promise.resolve(counters.map((counter) => this.state(counter)));
  }

  reserve(counters: Counter[], windowMs: number): Promise<Reservation> {
    const states = counters.map((counter) => this.state(counter));
    if (states.some(isLocked)) return Promise.resolve({ admitted: false, states });
    const now = this.clock.now();
    for (const { key, limit } of counters) {
      const entry = this.live(key) ?? { count: 0, expiresAt: now + windowMs };
      entry.count += 1;
      // Reaching the limit restarts the window: the lock lasts a whole window from now.
      if (entry.count === limit) entry.expiresAt = now + windowMs;
      this.entries.set(key, entry);
    }
    this.wrote();
    return Promise.resolve({ admitted: true, states: counters.map((c) => this.state(c)) });
  }

  refund(keys: string[]): Promise<void> {
    for (const key of keys) {
      const entry = this.live(key);
      if (entry && entry.count > 0) entry.count -= 1;
    }
    return Promise.resolve();
  }

  reset(keys: string[]): Promise<void> {
    for (const key of keys) this.entries.delete(key);
    return Promise.resolve();
  }

  deviceSecret(): Promise<Buffer> {
    return Promise.resolve(this.secret);
  }

  private state(counter: Counter): CounterState {
    const entry = this.live(counter.key);
    if (!entry) return { counter, count: 0, retryAfterMs: 0 };
    return { counter, count: entry.count, retryAfterMs: entry.expiresAt - this.clock.now() };
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.clock.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private wrote(): void {
    if (++this.writes % SWEEP_EVERY !== 0) return;
    for (const key of [...this.entries.keys()]) this.live(key);
  }
}
