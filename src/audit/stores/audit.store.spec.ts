import { Redis } from 'ioredis';
import { StoreUnavailableError } from '../../common/errors/store-unavailable.error';
import { keysWithPrefix, REDIS_URL, TestRedis } from '../../../test/support/redis';
import { anEvent, describeAuditStoreContract } from './audit.store.contract';
import { MemoryAuditStore } from './memory-audit.store';
import { RedisAuditStore } from './redis-audit.store';

describeAuditStoreContract('memory', () => new MemoryAuditStore());

describe('MemoryAuditStore', () => {
  it('keeps only the newest `capacity` events', async () => {
    const store = new MemoryAuditStore(3);
    const events = Array.from({ length: 7 }, () => anEvent());
    for (const event of events) await store.append(event);
    await expect(store.list({ limit: 10 })).resolves.toEqual(events.slice(4).reverse());
  });
});

describe('RedisAuditStore', () => {
  const redis = new TestRedis();
  let stores = 0;
  afterAll(() => redis.cleanup());

  // A fresh sub-prefix per test: every test starts with an empty stream.
  describeAuditStoreContract('redis', async () => {
    const connection = await redis.connect(`contract-${stores++}:`);
    return new RedisAuditStore(connection.client);
  });

  it('keeps the trail in one stream under the key prefix', async () => {
    const connection = await redis.connect('layout:');
    await new RedisAuditStore(connection.client).append(anEvent());
    const keys = await keysWithPrefix(`${redis.prefix}layout:`);
    expect(keys).toEqual([`${redis.prefix}layout:audit:stream`]);
    const raw = new Redis(REDIS_URL);
    const type = await raw.type(keys[0]);
    await raw.quit();
    expect(type).toBe('stream');
  });

  it('trims the stream to about its maximum length', async () => {
    const connection = await redis.connect('capped:');
    const store = new RedisAuditStore(connection.client, 10);
    for (let i = 0; i < 500; i++) await store.append(anEvent());
    const raw = new Redis(REDIS_URL);
    const length = await raw.xlen(`${redis.prefix}capped:audit:stream`);
    await raw.quit();
    // MAXLEN ~ trims whole stream nodes (100 entries by default), never below the cap.
    expect(length).toBeGreaterThanOrEqual(10);
    expect(length).toBeLessThanOrEqual(10 + 100);
  });

  it('fails with StoreUnavailableError when Redis cannot be reached', async () => {
    const connection = await redis.connect('down:');
    const store = new RedisAuditStore(connection.client);
    connection.client.disconnect();
    await expect(store.append(anEvent())).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.list({ limit: 1 })).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
