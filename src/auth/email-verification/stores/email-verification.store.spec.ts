import { setTimeout as sleep } from 'node:timers/promises';
import { ManualClock } from '../../../common/time/manual-clock';
import { keysWithPrefix, TestRedis } from '../../../../test/support/redis';
import { describeOnTopologies } from '../../../../test/support/redis-topologies';
import {
  describeEmailVerificationStoreContract,
  EmailVerificationStoreFixture,
} from './email-verification.store.contract';
import { MemoryEmailVerificationStore } from './memory-email-verification.store';
import { RedisEmailVerificationStore } from './redis-email-verification.store';

describeEmailVerificationStoreContract('memory', () => {
  const clock = new ManualClock();
  return {
    store: new MemoryEmailVerificationStore(clock),
    elapse: (ms) => Promise.resolve(clock.advance(ms)),
  };
});

/** A store on `redis`; Redis expires keys by its own clock, so these tests really wait. */
function redisFixture(redis: TestRedis): () => Promise<EmailVerificationStoreFixture> {
  return async () => ({
    store: new RedisEmailVerificationStore((await redis.connect()).client),
    elapse: (ms) => sleep(ms),
  });
}

describe('RedisEmailVerificationStore', () => {
  const redis = new TestRedis();
  afterAll(() => redis.cleanup());

  describeEmailVerificationStoreContract('redis', redisFixture(redis));

  it("keeps a token under its user's hash tag, holding only the email, expiring with it", async () => {
    const store = new RedisEmailVerificationStore((await redis.connect('layout:')).client);
    await store.save('u1', 'hash1', 'a@example.com', 60_000);
    const prefix = `${redis.prefix}layout:`;
    await expect(keysWithPrefix(prefix)).resolves.toEqual([`${prefix}{u:u1}:ev:hash1`]);
    const client = (await redis.connect()).client;
    await expect(client.get(`layout:{u:u1}:ev:hash1`)).resolves.toBe('a@example.com');
    const ttl = await client.pttl(`layout:{u:u1}:ev:hash1`);
    expect(ttl).toBeGreaterThan(59_000);
  });
});

describeOnTopologies('RedisEmailVerificationStore', (topology) => {
  const redis = new TestRedis(topology.driver);
  afterAll(() => redis.cleanup());
  describeEmailVerificationStoreContract(`redis (${topology.name})`, redisFixture(redis));
});
