import { keysWithPrefix, TestRedis } from '../../../test/support/redis';
import { describeOnTopologies } from '../../../test/support/redis-topologies';
import { MemoryUserStore } from './memory-user.store';
import { RedisUserStore } from './redis-user.store';
import { describeUserStoreContract, UserStoreFixture } from './user.store.contract';

/**
 * Two stores on two connections to `redis`, under a sub-prefix of their own per test: the user
 * directory is one key, and list() must see only the test's own users.
 */
function redisFixture(redis: TestRedis): () => Promise<UserStoreFixture> {
  let tests = 0;
  return async () => {
    const prefix = `${tests++}:`;
    const [one, two] = [await redis.connect(prefix), await redis.connect(prefix)];
    return {
      store: new RedisUserStore(one.client, one.acks),
      peer: new RedisUserStore(two.client, two.acks),
    };
  };
}

describeUserStoreContract('memory', () => {
  const store = new MemoryUserStore();
  return { store, peer: store };
});

describe('RedisUserStore', () => {
  const redis = new TestRedis();
  afterAll(() => redis.cleanup());

  describeUserStoreContract('redis', redisFixture(redis));

  it('keeps every user key under the configured prefix and the {users} hash tag', async () => {
    const connection = await redis.connect('layout:');
    const store = new RedisUserStore(connection.client);
    const id = '0190aaaa-0000-7000-8000-000000000001';
    await store.create({
      id,
      email: 'Layout@Example.test',
      username: 'Layout',
      passwordHash: 'h',
      roles: ['user'],
      scopes: [],
      active: true,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    });
    const prefix = `${redis.prefix}layout:`;
    await expect(keysWithPrefix(prefix)).resolves.toEqual([
      `${prefix}{users}:all`,
      `${prefix}{users}:email:layout@example.test`,
      `${prefix}{users}:id:${id}`,
      `${prefix}{users}:name:layout`,
    ]);
  });
});

describeOnTopologies('RedisUserStore', (topology) => {
  const redis = new TestRedis(topology.driver);
  afterAll(() => redis.cleanup());
  describeUserStoreContract(`redis (${topology.name})`, redisFixture(redis));
});
