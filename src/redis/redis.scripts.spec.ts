import { SystemClock } from '../common/time/clock';
import { uuidv7 } from '../common/crypto/ids';
import { TestRedis, withServers } from '../../test/support/redis';
import { describeOnTopologies } from '../../test/support/redis-topologies';
import { RedisSessionStore } from '../tokens/stores/redis-session.store';
import { scriptCall } from './redis.scripts';

function aSession() {
  const now = Date.now();
  return {
    id: uuidv7(),
    userId: uuidv7(),
    createdAt: now,
    lastUsedAt: now,
    expiresAt: now + 60_000,
    userAgent: null,
    ip: null,
    scope: 'profile',
    refreshHash: 'h1',
    generation: 0,
  };
}

describe('Lua scripts on the store client', () => {
  const redis = new TestRedis();
  afterAll(() => redis.cleanup());

  it('are methods of the client, not copied onto every pipeline it builds', async () => {
    const { client } = await redis.connect();
    expect(typeof client.rotate).toBe('function');
    // ioredis's defineCommand would put all of them on each auto-pipelined batch.
    expect((client.pipeline() as unknown as Record<string, unknown>).rotate).toBeUndefined();
  });

  it('take their key count from the script table, or first from the caller', () => {
    expect(scriptCall('checkAccess', ['{u:1}:', 'sid', 'jti'])?.params).toEqual([
      1,
      '{u:1}:',
      'sid',
      'jti',
    ]);
    expect(scriptCall('loginReserve', [2, 'a', 'b', 60_000, 5, 5])?.params).toEqual([
      2,
      'a',
      'b',
      60_000,
      5,
      5,
    ]);
    expect(scriptCall('set', ['k', 'v'])).toBeUndefined();
  });
});

// A Redis that lost its script cache (restarted, failed over to a replica that never ran them):
// on the topologies' own servers, which no other test shares.
describeOnTopologies('Lua scripts after SCRIPT FLUSH', (topology) => {
  const redis = new TestRedis(topology.driver);
  afterAll(() => redis.cleanup());

  it('run again, plain and through ReplicaAcks, by EVAL on NOSCRIPT', async () => {
    const connection = await redis.connect();
    const store = new RedisSessionStore(connection.client, new SystemClock(), connection.acks);
    const [first, second] = [aSession(), aSession()];
    await store.create(first, 50);
    const flush = () =>
      withServers(
        topology.driver,
        (servers) => Promise.all(servers.map((s) => s.script('FLUSH'))),
        'all',
      );
    await flush();
    await store.create(second, 50);
    const ref = { userId: second.userId, sessionId: second.id };
    await expect(store.checkAccess(ref, 'jti')).resolves.toBe('active');
    await flush();
    // Revocations wait for a replica in one pipeline (ReplicaAcks): their script too.
    await expect(store.revoke(ref)).resolves.toBe(true);
    await expect(store.checkAccess(ref, 'jti')).resolves.toBe('session-ended');
  });
});
