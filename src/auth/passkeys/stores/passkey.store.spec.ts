import { setTimeout as sleep } from 'node:timers/promises';
import { SystemClock } from '../../../common/time/clock';
import { ManualClock } from '../../../common/time/manual-clock';
import { keysWithPrefix, TestRedis } from '../../../../test/support/redis';
import { describeOnTopologies } from '../../../../test/support/redis-topologies';
import { describePasskeyStoreContract, PasskeyStoreFixture } from './passkey.store.contract';
import { MemoryPasskeyStore } from './memory-passkey.store';
import { RedisPasskeyStore } from './redis-passkey.store';
import { credentialKey } from '../passkey.store';

describePasskeyStoreContract('memory', () => {
  const clock = new ManualClock();
  return {
    store: new MemoryPasskeyStore(clock),
    elapse: (ms) => Promise.resolve(clock.advance(ms)),
  };
});

/** A store on `redis`; Redis expires keys by its own clock, so these tests really wait. */
function redisFixture(redis: TestRedis): () => Promise<PasskeyStoreFixture> {
  return async () => ({
    store: new RedisPasskeyStore((await redis.connect()).client, new SystemClock()),
    elapse: (ms) => sleep(ms),
  });
}

describe('RedisPasskeyStore', () => {
  const redis = new TestRedis();
  afterAll(() => redis.cleanup());

  describePasskeyStoreContract('redis', redisFixture(redis));

  it("keeps a user's passkeys under the user's hash tag, a sign-in challenge and a credential's claim alone", async () => {
    const store = new RedisPasskeyStore((await redis.connect('layout:')).client, new SystemClock());
    await store.saveRegistrationChallenge('u1', 's1', 'reg', 60_000);
    await store.add(
      'u1',
      {
        id: 'p1',
        credentialId: 'c1',
        publicKey: 'k1',
        counter: 3,
        transports: ['usb'],
        name: 'key',
        deviceType: 'singleDevice',
        backedUp: false,
        createdAt: 1,
        lastUsedAt: null,
      },
      10,
    );
    await store.saveLoginChallenge('ch', 60_000);
    const prefix = `${redis.prefix}layout:`;
    await expect(keysWithPrefix(prefix)).resolves.toEqual(
      [
        `${prefix}{u:u1}:passkeys`,
        `${prefix}{u:u1}:passkeys:reg`,
        `${prefix}{u:u1}:passkeys:use`,
        `${prefix}passkey:login:ch`,
        `${prefix}passkey:cred:${credentialKey('c1')}`,
      ].sort(),
    );
    const client = (await redis.connect()).client;
    await expect(client.hget('layout:{u:u1}:passkeys:use', credentialKey('c1'))).resolves.toBe(
      '3:',
    );
    await expect(client.get(`layout:passkey:cred:${credentialKey('c1')}`)).resolves.toBe('u1');
    // One field per session, "<expiresAt>:<challenge>", and the key expires with it.
    await expect(client.hget('layout:{u:u1}:passkeys:reg', 's1')).resolves.toMatch(/^\d{13}:reg$/);
    const ttl = await client.pttl('layout:{u:u1}:passkeys:reg');
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });
});

describeOnTopologies('RedisPasskeyStore', (topology) => {
  const redis = new TestRedis(topology.driver);
  afterAll(() => redis.cleanup());
  describePasskeyStoreContract(`redis (${topology.name})`, redisFixture(redis));
});
