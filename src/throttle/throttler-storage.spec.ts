import { setTimeout as sleep } from 'node:timers/promises';
import { ManualClock } from '../common/time/manual-clock';
import { Redis } from 'ioredis';
import { keysWithPrefix, REDIS_URL, TestRedis } from '../../test/support/redis';
import { describeOnTopologies } from '../../test/support/redis-topologies';
import { MemoryThrottlerStorage } from './memory-throttler.storage';
import { RedisThrottlerStorage } from './redis-throttler.storage';
import {
  describeThrottlerStorageContract,
  ThrottlerStorageFixture,
} from './throttler-storage.contract';

describeThrottlerStorageContract('memory', () => {
  const clock = new ManualClock();
  return {
    storage: new MemoryThrottlerStorage(clock),
    elapse: (ms) => Promise.resolve(clock.advance(ms)),
  };
});

/** A storage on `redis`; Redis expires keys by its own clock, so these tests really wait. */
function redisFixture(redis: TestRedis): () => Promise<ThrottlerStorageFixture> {
  return async () => ({
    storage: new RedisThrottlerStorage((await redis.connect()).client),
    elapse: (ms) => sleep(ms),
  });
}

describe('RedisThrottlerStorage', () => {
  const redis = new TestRedis();
  afterAll(() => redis.cleanup());

  describeThrottlerStorageContract('redis', redisFixture(redis));

  it('keeps a tracker under one hash tag, drops its hits when blocking, and the block expires', async () => {
    const storage = new RedisThrottlerStorage((await redis.connect('layout:')).client);
    await storage.increment('k', 60_000, 1, 30_000, 'login');
    await storage.increment('k', 60_000, 1, 30_000, 'login');
    const prefix = `${redis.prefix}layout:`;
    await expect(keysWithPrefix(prefix)).resolves.toEqual([`${prefix}{th:login:k}:block`]);
    const raw = new Redis(REDIS_URL);
    const expiry = await raw.pexpiretime(`${prefix}{th:login:k}:block`);
    await raw.quit();
    expect(expiry).toBeGreaterThan(Date.now());
    const blocked = await storage.increment('k', 60_000, 1, 30_000, 'login');
    expect(blocked.timeToBlockExpire).toBeGreaterThan(25);
    expect(blocked.timeToBlockExpire).toBeLessThanOrEqual(30);
  });
});

describeOnTopologies('RedisThrottlerStorage', (topology) => {
  const redis = new TestRedis(topology.driver);
  afterAll(() => redis.cleanup());
  describeThrottlerStorageContract(`redis (${topology.name})`, redisFixture(redis));
});
