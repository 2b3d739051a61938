import { StoreUnavailableError } from '../../common/errors/store-unavailable.error';
import { keysWithPrefix, TestRedis } from '../../../test/support/redis';
import { describeOnTopologies } from '../../../test/support/redis-topologies';
import { AuditEventType } from '../audit-event';
import { AuditRetention, NoiseLimit } from '../audit.limits';
import { anEvent, describeAuditStoreContract } from './audit.store.contract';
import { MemoryAuditStore } from './memory-audit.store';
import { RedisAuditStore } from './redis-audit.store';

describeAuditStoreContract('memory', (retention) => new MemoryAuditStore(retention));

/** A store on `redis`, under a fresh sub-prefix per test: every test starts with an empty trail. */
function redisStore(redis: TestRedis): (retention?: AuditRetention) => Promise<RedisAuditStore> {
  let stores = 0;
  return async (retention) => {
    const connection = await redis.connect(`contract-${stores++}:`);
    return new RedisAuditStore(connection.client, retention);
  };
}

describe('RedisAuditStore', () => {
  const redis = new TestRedis();
  afterAll(() => redis.cleanup());

  describeAuditStoreContract('redis', redisStore(redis));

  it('keeps every key of the trail under the key prefix and one hash tag', async () => {
    const connection = await redis.connect('layout:');
    const event = anEvent({ event: AuditEventType.LoginFailed });
    await new RedisAuditStore(connection.client).append(event);
    const base = `${redis.prefix}layout:{audit}:`;
    expect(await keysWithPrefix(`${redis.prefix}layout:`)).toEqual(
      [
        'all',
        `e:${event.id}`,
        `r:${event.event}:u`,
        'seq',
        `t:${event.event}`,
        `u:${event.userId}`,
        `ue:${event.userId}:${event.event}`,
      ].map((suffix) => base + suffix),
    );
  });

  it('counts noise exactly when two instances take it at the same time', async () => {
    const [a, b] = await Promise.all([redis.connect('twins:'), redis.connect('twins:')]);
    const stores = [new RedisAuditStore(a.client), new RedisAuditStore(b.client)];
    const limit: NoiseLimit = { key: 'k', perWindow: 10, windowMs: 60_000 };
    const flood = Array.from({ length: 500 }, (_, i) =>
      stores[i % 2].append(anEvent({ event: AuditEventType.TokenInvalid, userId: null }), limit),
    );
    await Promise.all(flood);
    const kept = await stores[0].list({ event: AuditEventType.TokenInvalid, limit: 100 });
    expect(kept).toHaveLength(11);
    expect(kept[0].details).toEqual(expect.objectContaining({ summary: true, count: 490 }));
  });

  it('fails with StoreUnavailableError when Redis cannot be reached', async () => {
    const connection = await redis.connect('down:');
    const store = new RedisAuditStore(connection.client);
    connection.client.disconnect();
    await expect(store.append(anEvent())).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.list({ limit: 1 })).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});

describeOnTopologies('RedisAuditStore', (topology) => {
  const redis = new TestRedis(topology.driver);
  afterAll(() => redis.cleanup());
  describeAuditStoreContract(`redis (${topology.name})`, redisStore(redis));
});
