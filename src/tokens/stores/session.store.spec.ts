import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { SystemClock } from '../../common/time/clock';
import { ManualClock } from '../../common/time/manual-clock';
import { keysWithPrefix, REDIS_URL, TestRedis } from '../../../test/support/redis';
import { describeOnTopologies } from '../../../test/support/redis-topologies';
import { MemorySessionStore } from './memory-session.store';
import { RedisSessionStore } from './redis-session.store';
import { describeSessionStoreContract, SessionStoreFixture } from './session.store.contract';

/** Two stores on two connections to `redis`; Redis expires keys by its own clock, so tests wait. */
function redisFixture(redis: TestRedis): () => Promise<SessionStoreFixture> {
  return async () => {
    const clock = new SystemClock();
    const [connection, other] = [await redis.connect(), await redis.connect()];
    return {
      store: new RedisSessionStore(connection.client, clock, connection.acks),
      peer: new RedisSessionStore(other.client, clock, other.acks),
      clock,
      elapse: (ms) => sleep(ms),
    };
  };
}

describeSessionStoreContract('memory', () => {
  const clock = new ManualClock();
  const store = new MemorySessionStore(clock);
  return {
    store,
    peer: store,
    clock,
    elapse: (ms) => Promise.resolve(clock.advance(ms)),
  };
});

describe('RedisSessionStore', () => {
  const redis = new TestRedis();
  afterAll(() => redis.cleanup());

  describeSessionStoreContract('redis', redisFixture(redis));

  it("keeps a user's session keys under one hash tag, each expiring by the end of the session", async () => {
    const connection = await redis.connect('layout:');
    const store = new RedisSessionStore(connection.client, new SystemClock());
    const expiresAt = Date.now() + 60_000;
    const session = { id: 'sid', userId: 'uid', createdAt: 1, lastUsedAt: 1, expiresAt };
    const fields = { userAgent: null, ip: null, scope: '', refreshHash: 'h1', generation: 0 };
    await store.create({ ...session, ...fields }, 50);
    const ref = { userId: 'uid', sessionId: 'sid' };
    await store.rotate(ref, 'h1', 'h2', Date.now());
    await store.revokeAccessToken(ref, 'jti', Date.now() + 30_000);
    const prefix = `${redis.prefix}layout:`;
    const keys = await keysWithPrefix(prefix);
    expect(keys).toEqual(
      ['{u:uid}:j:sid:jti', '{u:uid}:r:sid', '{u:uid}:s:sid', '{u:uid}:sessions'].map(
        (k) => `${prefix}${k}`,
      ),
    );
    const raw = new Redis(REDIS_URL);
    const expiries = await Promise.all(keys.map((k) => raw.pexpiretime(k)));
    await raw.quit();
    expect(expiries.every((t) => t > Date.now() && t <= expiresAt)).toBe(true);
  });

  it('keeps a grace answer under the same hash tag, gone at the end of its window', async () => {
    const connection = await redis.connect('grace:');
    const store = new RedisSessionStore(connection.client, new SystemClock());
    const session = { id: 'sid', userId: 'uid', createdAt: 1, lastUsedAt: 1 };
    const fields = { userAgent: null, ip: null, scope: '', refreshHash: 'h1', generation: 0 };
    await store.create({ ...session, expiresAt: Date.now() + 60_000, ...fields }, 50);
    const grace = { client: 'c', sealed: 'v1.sealed', expiresAt: Date.now() + 5_000 };
    await store.rotate({ userId: 'uid', sessionId: 'sid' }, 'h1', 'h2', Date.now(), null, grace);
    const key = `${redis.prefix}grace:{u:uid}:g:sid`;
    const raw = new Redis(REDIS_URL);
    const [kept, expiry] = [await raw.hgetall(key), await raw.pexpiretime(key)];
    await raw.quit();
    expect(kept).toEqual({ hash: 'h1', client: 'c', sealed: 'v1.sealed' });
    expect(expiry).toBe(grace.expiresAt);
  });
});

describeOnTopologies('RedisSessionStore', (topology) => {
  const redis = new TestRedis(topology.driver);
  afterAll(() => redis.cleanup());
  describeSessionStoreContract(`redis (${topology.name})`, redisFixture(redis));
});
