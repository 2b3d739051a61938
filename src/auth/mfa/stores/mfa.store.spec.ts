import { setTimeout as sleep } from 'node:timers/promises';
import { ManualClock } from '../../../common/time/manual-clock';
import { keysWithPrefix, TestRedis } from '../../../../test/support/redis';
import { describeOnTopologies } from '../../../../test/support/redis-topologies';
import { describeMfaStoreContract, MfaStoreFixture } from './mfa.store.contract';
import { MemoryMfaStore } from './memory-mfa.store';
import { RedisMfaStore } from './redis-mfa.store';

describeMfaStoreContract('memory', () => {
  const clock = new ManualClock();
  return { store: new MemoryMfaStore(clock), elapse: (ms) => Promise.resolve(clock.advance(ms)) };
});

/** A store on `redis`; Redis expires keys by its own clock, so these tests really wait. */
function redisFixture(redis: TestRedis): () => Promise<MfaStoreFixture> {
  return async () => ({
    store: new RedisMfaStore((await redis.connect()).client),
    elapse: (ms) => sleep(ms),
  });
}

describe('RedisMfaStore', () => {
  const redis = new TestRedis();
  afterAll(() => redis.cleanup());

  describeMfaStoreContract('redis', redisFixture(redis));

  it("keeps everything under the user's hash tag, the secret only as given (sealed)", async () => {
    const store = new RedisMfaStore((await redis.connect('layout:')).client);
    await store.savePending('u1', 'v1.k.sealed', 600_000);
    await store.enable('u1', 'v1.k.sealed', ['h1', 'h2'], 1, 7);
    await store.countChallengeAttempt('u1', 'c1', 300_000);
    await store.useRecoveryCode('u1', 'h2', { id: 'c1', ttlMs: 300_000 });
    const prefix = `${redis.prefix}layout:`;
    await expect(keysWithPrefix(prefix)).resolves.toEqual(
      [
        `${prefix}{u:u1}:mfa`,
        `${prefix}{u:u1}:mfa:rc`,
        `${prefix}{u:u1}:mfa:try:c1`,
        `${prefix}{u:u1}:mfa:used:c1`,
      ].sort(),
    );
    const client = (await redis.connect()).client;
    await expect(client.hgetall('layout:{u:u1}:mfa')).resolves.toEqual({
      secret: 'v1.k.sealed',
      enabledAt: '1',
      step: '7',
    });
    const ttl = await client.pttl('layout:{u:u1}:mfa:try:c1');
    expect(ttl).toBeGreaterThan(290_000);
    await expect(client.pttl('layout:{u:u1}:mfa:used:c1')).resolves.toBeGreaterThan(290_000);
  });
});

describeOnTopologies('RedisMfaStore', (topology) => {
  const redis = new TestRedis(topology.driver);
  afterAll(() => redis.cleanup());
  describeMfaStoreContract(`redis (${topology.name})`, redisFixture(redis));
});
