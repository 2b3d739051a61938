import { Inject } from '@nestjs/common';

/** One failure counter and the number of failures within its window that locks it. */
export interface Counter {
  /** Store key, without the configured prefix; never holds a raw password or username. */
  key: string;
  limit: number;
}

/** A counter's state: locked once `count >= limit`, for the `retryAfterMs` left in its window. */
export interface CounterState {
  counter: Counter;
  count: number;
  /** Milliseconds until the window (and so the lock) ends; 0 when the counter is empty. */
  retryAfterMs: number;
}

/**
 * Failed-login counters (shared/API.md, Brute force). Each counter is a fixed window of
 * `windowMs` that starts with its first failure; the failure that reaches the limit restarts the
 * window, so a lock always lasts the whole window from the moment it starts. Counting is atomic
 * in the store (INCR and PEXPIRE in one script): concurrent failures on several instances never
 * lose a count and never leave a counter without expiry.
 */
export interface LoginAttemptStore {
  /** The current state of each counter, read before any password is checked. */
  read(counters: Counter[]): Promise<CounterState[]>;
  /** Counts one failure on each counter; returns their states after counting. */
  fail(counters: Counter[], windowMs: number): Promise<CounterState[]>;
  /** Forgets the counters (after a successful login). */
  reset(keys: string[]): Promise<void>;
  /**
   * The secret that signs device cookies: 32 random bytes created once in the store (the first
   * caller wins, every instance gets the same one).
   */
  deviceSecret(): Promise<Buffer>;
}
export const LoginAttemptStore = Symbol('LoginAttemptStore');
export const InjectLoginAttemptStore = () => Inject(LoginAttemptStore);

/** Whether a counter in this state refuses further attempts. */
export function isLocked(state: CounterState): boolean {
  return state.count >= state.counter.limit && state.retryAfterMs > 0;
}
