import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisConnection } from '../../src/redis/redis.connection';

/** The Redis the tests use: a real server, shared, so tests touch only their own prefix. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test file or run uses. */
export function randomPrefix(): string {
  return `tessera-test:${randomBytes(6).toString('hex')}:`;
}

/** A RedisConnection to `url` whose keys all live under `keyPrefix`. */
export function redisConnection(keyPrefix: string, url = REDIS_URL): RedisConnection {
  return new RedisConnection({ driver: { kind: 'redis', mode: 'standalone', url }, keyPrefix });
}

/** Full names of every key under `prefix`, by SCAN (never KEYS on a shared server). */
export async function keysWithPrefix(prefix: string, url = REDIS_URL): Promise<string[]> {
  return withRawClient(url, async (raw) => {
    const found: string[] = [];
    for await (const keys of scan(raw, prefix)) found.push(...keys);
    return found.sort();
  });
}

/**
 * Deletes every key under `prefix` (SCAN MATCH prefix*, then UNLINK) and returns how many.
 * Never FLUSHDB/FLUSHALL: the server is shared.
 */
export async function deleteKeysWithPrefix(prefix: string, url = REDIS_URL): Promise<number> {
  return withRawClient(url, async (raw) => {
    let deleted = 0;
    for await (const keys of scan(raw, prefix)) {
      if (keys.length > 0) deleted += await raw.unlink(...keys);
    }
    return deleted;
  });
}

/** A client without keyPrefix: SCAN returns full key names, which UNLINK must get unchanged. */
async function withRawClient<T>(url: string, use: (raw: Redis) => Promise<T>): Promise<T> {
  const raw = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    return await use(raw);
  } finally {
    await raw.quit();
  }
}

function scan(raw: Redis, prefix: string): AsyncIterable<string[]> {
  const match = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  return raw.scanStream({ match, count: 500 }) as AsyncIterable<string[]>;
}

/**
 * One test file's Redis: a random prefix, connections under it (`connect('users:')` gives a
 * fresh sub-prefix, for tests that need an empty keyspace), and `cleanup()` for afterAll,
 * which deletes the prefix's keys and closes every connection.
 */
export class TestRedis {
  readonly prefix = randomPrefix();
  private readonly connections: RedisConnection[] = [];

  /** A ready connection (commands fail fast, not queue, until then). */
  async connect(subPrefix = ''): Promise<RedisConnection> {
    const connection = redisConnection(`${this.prefix}${subPrefix}`);
    this.connections.push(connection);
    if (!(await connection.waitUntilReady(5000))) throw new Error(`Redis at ${REDIS_URL} is down`);
    return connection;
  }

  async cleanup(): Promise<void> {
    await deleteKeysWithPrefix(this.prefix);
    await Promise.all(this.connections.map((c) => c.onApplicationShutdown()));
  }
}
