import { setTimeout as sleep } from 'node:timers/promises';
import { ManualClock } from '../../../common/time/manual-clock';
import { keysWithPrefix, TestRedis } from '../../../../test/support/redis';
import { describeOnTopologies } from '../../../../test/support/redis-topologies';
import {
  describeLoginAttemptStoreContract,
  LoginAttemptStoreFixture,
} from './login-attempt.store.contract';
import { MemoryLoginAttemptStore } from './memory-login-attempt.store';
import { RedisLoginAttemptStore } from './redis-login-attempt.store';

describeLoginAttemptStoreContract('memory', () => {
  const clock = new ManualClock();
  return {
    store: new MemoryLoginAttemptStore(clock),
    elapse: (ms) => Promise.resolve(clock.advance(ms)),
  };
});

/** A store on `redis`; Redis expires keys by its own clock, so these tests really wait. */
function redisFixture(redis: TestRedis): () => Promise<LoginAttemptStoreFixture> {
  return async () => ({
    store: new RedisLoginAttemptStore((await redis.connect()).client),
    elapse: (ms) => sleep(ms),
  });
}

describe('RedisLoginAttemptStore', () => {
  const redis = new TestRedis();
  afterAll(() => redis.cleanup());

  describeLoginAttemptStoreContract('redis', redisFixture(redis));

  it('shares one device secret between instances on the same Redis', async () => {
    const one = new RedisLoginAttemptStore((await redis.connect('secret:')).client);
    const two = new RedisLoginAttemptStore((await redis.connect('secret:')).client);
    const [a, b] = await Promise.all([one.deviceSecret(), two.deviceSecret()]);
    expect(b.equals(a)).toBe(true);
  });

  it('keeps each counter in one key under one hash tag that expires with its window', async () => {
    const store = new RedisLoginAttemptStore((await redis.connect('layout:')).client);
    const reservedAt = Date.now();
    await store.reserve(
      [
        { key: 'pair:abc', limit: 5 },
        { key: 'ip:x', limit: 5 },
      ],
      60_000,
    );
    const prefix = `${redis.prefix}layout:`;
    // One hash tag for all counters: the reservation script runs on a Cluster too.
    await expect(keysWithPrefix(prefix).then((keys) => keys.sort())).resolves.toEqual([
      `${prefix}{login-fail}:ip:x`,
      `${prefix}{login-fail}:pair:abc`,
    ]);
    const [state] = await store.read([{ key: 'pair:abc', limit: 5 }]);
    // The whole window from the reservation, less the time this test has taken since (a busy
    // machine took 1.7 s between the two calls once).
    expect(state.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(state.retryAfterMs).toBeGreaterThan(60_000 - (Date.now() - reservedAt) - 50);
  });
});

describeOnTopologies('RedisLoginAttemptStore', (topology) => {
  const redis = new TestRedis(topology.driver);
  afterAll(() => redis.cleanup());
  describeLoginAttemptStoreContract(`redis (${topology.name})`, redisFixture(redis));
});
