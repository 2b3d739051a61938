import { randomBytes } from 'node:crypto';
import { FailClosed } from '../../../redis/fail-closed';
import { RedisClient } from '../../../redis/redis.scripts';
import { Counter, CounterState, LoginAttemptStore } from '../login-attempt.store';

/*
 * Key layout (under the configured prefix). Each counter is one key with its own expiry, so a
 * script only ever touches one key (any Cluster slot); several counters are several calls on one
 * auto-pipeline.
 *   login-fail:<counter key>   STRING  failures in the current window (PEXPIRE = window end)
 *   device-cookie-secret       STRING  32 random bytes (hex) signing device cookies, no expiry
 */
const failKey = (key: string) => `login-fail:${key}`;
const SECRET_KEY = 'device-cookie-secret';

/** Failed-login counters in Redis; counting is one Lua script (src/redis/scripts/login_fail.lua). */
@FailClosed()
export class RedisLoginAttemptStore implements LoginAttemptStore {
  constructor(private readonly redis: RedisClient) {}

  async read(counters: Counter[]): Promise<CounterState[]> {
    const replies = await Promise.all(counters.map((c) => this.redis.loginRead(failKey(c.key))));
    return counters.map((counter, i) => toState(counter, replies[i]));
  }

  async fail(counters: Counter[], windowMs: number): Promise<CounterState[]> {
    const replies = await Promise.all(
      counters.map((c) => this.redis.loginFail(failKey(c.key), windowMs, c.limit)),
    );
    return counters.map((counter, i) => toState(counter, replies[i]));
  }

  async reset(keys: string[]): Promise<void> {
    if (keys.length > 0) await Promise.all(keys.map((key) => this.redis.del(failKey(key))));
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
