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

/** The outcome of a reservation: the counters' states after it (unchanged when refused). */
export interface Reservation {
  admitted: boolean;
  states: CounterState[];
}

/**
 * Failed-login counters (docs/brute-force.md). Each counter is a fixed window of
 * `windowMs` that starts with its first attempt; the attempt that reaches the limit restarts the
 * window, so a lock always lasts the whole window from the moment it starts.
 *
 * An attempt is counted *before* its password is checked (reserve), and taken back when the
 * password was right (refund or reset). Checking first and counting after the argon2 run would
 * let any number of concurrent guesses pass the check before the first one is counted. Reserving
 * is atomic in the store (check and INCR and PEXPIRE in one script): at most `limit` attempts are
 * ever admitted per counter and window, on any number of instances.
 */
export interface LoginAttemptStore {
  /** The current state of each counter (for tests and operators; login uses reserve). */
  read(counters: Counter[]): Promise<CounterState[]>;
  /**
   * When any counter is at its limit: refuses and changes nothing. Otherwise counts one attempt
   * on every counter. Both in one atomic step.
   */
  reserve(counters: Counter[], windowMs: number): Promise<Reservation>;
  /** Takes one reserved attempt back from each counter, never below 0 (a successful login). */
  refund(keys: string[]): Promise<void>;
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
