import { Redis } from 'ioredis';
import { StoreUnavailableError } from '../../common/errors/store-unavailable.error';
import { ManualClock } from '../../common/time/manual-clock';
import { keysWithPrefix, REDIS_URL, TestRedis } from '../../../test/support/redis';
import { describeOnTopologies } from '../../../test/support/redis-topologies';
import { SOCKET_LEASE_MS } from '../socket.store';
import { MemorySocketStore } from './memory-socket.store';
import { RedisSocketStore } from './redis-socket.store';
import { aSocket, describeSocketStoreContract, SocketStoreFixture } from './socket.store.contract';

describeSocketStoreContract('memory', () => {
  const clock = new ManualClock();
  return { store: new MemorySocketStore(clock), clock };
});

/** A store on `redis`; leases are scored with the injected clock, so a ManualClock drives Redis. */
function redisFixture(redis: TestRedis): () => Promise<SocketStoreFixture> {
  return async () => {
    const clock = new ManualClock();
    return { store: new RedisSocketStore((await redis.connect()).client, clock), clock };
  };
}

describe('RedisSocketStore', () => {
  const redis = new TestRedis();
  afterAll(() => redis.cleanup());

  describeSocketStoreContract('redis', redisFixture(redis));

  it("keeps a user's sockets under one hash tag, expiring with the last lease", async () => {
    const store = new RedisSocketStore((await redis.connect('layout:')).client, new ManualClock());
    const socket = aSocket();
    await store.admit(socket, { perSession: 5, perUser: 20 });
    const prefix = `${redis.prefix}layout:`;
    const tag = `${prefix}{ws:${socket.userId}}`;
    await expect(keysWithPrefix(prefix)).resolves.toEqual([`${tag}:leases`, `${tag}:order`]);
    const raw = new Redis(REDIS_URL);
    const ttls = await Promise.all([raw.pttl(`${tag}:leases`), raw.pttl(`${tag}:order`)]);
    const members = await raw.zrange(`${tag}:order`, '0', '-1');
    await raw.quit();
    for (const ttl of ttls) {
      expect(ttl).toBeGreaterThan(SOCKET_LEASE_MS - 5_000);
      expect(ttl).toBeLessThanOrEqual(SOCKET_LEASE_MS);
    }
    expect(members).toEqual([`${socket.sessionId}:${socket.socketId}`]);
  });

  it('fails with StoreUnavailableError when Redis cannot be reached', async () => {
    const connection = await redis.connect('down:');
    const store = new RedisSocketStore(connection.client, new ManualClock());
    connection.client.disconnect();
    const socket = aSocket();
    await expect(store.admit(socket, { perSession: 1, perUser: 1 })).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    await expect(store.release(socket)).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});

describeOnTopologies('RedisSocketStore', (topology) => {
  const redis = new TestRedis(topology.driver);
  afterAll(() => redis.cleanup());
  describeSocketStoreContract(`redis (${topology.name})`, redisFixture(redis));
});
