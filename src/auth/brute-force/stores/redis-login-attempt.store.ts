import { randomBytes } from 'node:crypto';
import { FailClosed } from '../../../redis/fail-closed';
import { RedisClient } from '../../../redis/redis.scripts';
import { Counter, CounterState, LoginAttemptStore, Reservation } from '../login-attempt.store';

/*
 * Key layout (under the configured prefix). Each counter is one key with its own expiry. All of
 * them share the hash tag {login-fail}, so the reservation script sees every counter of an
 * attempt atomically, also on a Cluster. The trade-off: every login counter sits in one Cluster
 * slot (one node). That is cheap next to the argon2 run each admitted attempt costs anyway.
 *   {login-fail}:<counter key>   STRING  attempts in the current window (PEXPIRE = window end)
 *   device-cookie-secret         STRING  32 random bytes (hex) signing device cookies, no expiry
 */
const failKey = (key: string) => `{login-fail}:${key}`;
const SECRET_KEY = 'device-cookie-secret';

/** Login-attempt counters in Redis; reserving is one Lua script (scripts/login_reserve.lua). */
@FailClosed()
export class RedisLoginAttemptStore implements LoginAttemptStore {
  constructor(private readonly redis: RedisClient) {}

  async read(counters: Counter[]): Promise<CounterState[]> {
    const replies = await Promise.all(counters.map((c) => this.redis.loginRead(failKey(c.key))));
    return counters.map((counter, i) => toState(counter, replies[i]));
  }

  async reserve(counters: Counter[], windowMs: number): Promise<Reservation> {
    const keys = counters.map((c) => failKey(c.key));
    const limits = counters.map((c) => c.limit);
    const [admitted, ...flat] = await this.redis.loginReserve(
      keys.length,
      ...keys,
      windowMs,
      ...limits,
    );
    const states = counters.map((counter, i) => toState(counter, [flat[2 * i], flat[2 * i + 1]]));
    return { admitted: admitted === 1, states };
  }

  async refund(keys: string[]): Promise<void> {
    if (keys.length > 0) await this.redis.loginRefund(keys.length, ...keys.map(failKey));
  }

  async reset(keys: string[]): Promise<void> {
    if (keys.length > 0) await this.redis.del(...keys.map(failKey));
  }

  async deviceSecret(): Promise<Buffer> {
    // SET NX ... GET: one command that either stores ours or returns the one stored first.
    const mine = randomBytes(32).toString('hex');
    const stored = await this.redis.set(SECRET_KEY, mine, 'NX', 'GET');
    return Buffer.from(stored ?? mine, 'hex');
  }
}

/** A script reply `[count, pttl]` (pttl < 0 when the key is gone) as a CounterState. */
function toState(counter: Counter, reply: [number, number]): CounterState {
  const [count, pttl] = reply;
  if (pttl <= 0) return { counter, count: 0, retryAfterMs: 0 };
  return { counter, count, retryAfterMs: pttl };
}
