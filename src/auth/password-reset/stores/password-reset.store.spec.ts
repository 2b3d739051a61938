import { setTimeout as sleep } from 'node:timers/promises';
import { ManualClock } from '../../../common/time/manual-clock';
import { keysWithPrefix, TestRedis } from '../../../../test/support/redis';
import { describeOnTopologies } from '../../../../test/support/redis-topologies';
import { MemoryPasswordResetStore } from './memory-password-reset.store';
import {
  describePasswordResetStoreContract,
  PasswordResetStoreFixture,
} from './password-reset.store.contract';
import { RedisPasswordResetStore } from './redis-password-reset.store';

describePasswordResetStoreContract('memory', () => {
  const clock = new ManualClock();
  return {
    store: new MemoryPasswordResetStore(clock),
    elapse: (ms) => Promise.resolve(clock.advance(ms)),
  };
});

/** A store on `redis`; Redis expires keys by its own clock, so these tests really wait. */
function redisFixture(redis: TestRedis): () => Promise<PasswordResetStoreFixture> {
  return async () => ({
    store: new RedisPasswordResetStore((await redis.connect()).client),
    elapse: (ms) => sleep(ms),
  });
}

describe('RedisPasswordResetStore', () => {
  const redis = new TestRedis();
  afterAll(() => redis.cleanup());

  describePasswordResetStoreContract('redis', redisFixture(redis));

  it("keeps a token under its user's hash tag, holding only the fingerprint, expiring with it", async () => {
    const store = new RedisPasswordResetStore((await redis.connect('layout:')).client);
    await store.save('u1', 'hash1', 'fingerprint', 1_800_000);
    const prefix = `${redis.prefix}layout:`;
    await expect(keysWithPrefix(prefix)).resolves.toEqual([`${prefix}{u:u1}:pr:hash1`]);
    const client = (await redis.connect()).client;
    await expect(client.get(`layout:{u:u1}:pr:hash1`)).resolves.toBe('fingerprint');
    const ttl = await client.pttl(`layout:{u:u1}:pr:hash1`);
    expect(ttl).toBeGreaterThan(1_790_000);
  });
});

describeOnTopologies('RedisPasswordResetStore', (topology) => {
  const redis = new TestRedis(topology.driver);
  afterAll(() => redis.cleanup());
  describePasswordResetStoreContract(`redis (${topology.name})`, redisFixture(redis));
});
