import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { RedisDriver } from '../../src/redis/redis.client-factory';
import { RedisConnection } from '../../src/redis/redis.connection';

/** The Redis the tests use: a real server, shared, so tests touch only their own prefix. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Where a test's keys live: a standalone URL, or a Sentinel or Cluster driver. */
export type RedisTarget = string | RedisDriver;

function driverOf(target: RedisTarget): RedisDriver {
  return typeof target === 'string' ? { kind: 'redis', mode: 'standalone', url: target } : target;
}

/** A key prefix no other test file or run uses. */
export function randomPrefix(): string {
  return `tessera-test:${randomBytes(6).toString('hex')}:`;
}

/** A RedisConnection to `target` whose keys all live under `keyPrefix`. */
export function redisConnection(
  keyPrefix: string,
  target: RedisTarget = REDIS_URL,
): RedisConnection {
  return new RedisConnection({ driver: driverOf(target), keyPrefix });
}

/** Full names of every key under `prefix`, by SCAN (never KEYS on a shared server). */
export async function keysWithPrefix(
  prefix: string,
  target: RedisTarget = REDIS_URL,
): Promise<string[]> {
  return withServers(target, async (masters) => {
    const found: string[] = [];
    for (const raw of masters) for await (const keys of scan(raw, prefix)) found.push(...keys);
    return found.sort();
  });
}

/**
 * Deletes every key under `prefix` (SCAN MATCH prefix*, then UNLINK) and returns how many.
 * Never FLUSHDB/FLUSHALL: the server is shared.
 */
export async function deleteKeysWithPrefix(
  prefix: string,
  target: RedisTarget = REDIS_URL,
): Promise<number> {
  return withServers(target, async (masters) => {
    let deleted = 0;
    for (const raw of masters) {
      for await (const keys of scan(raw, prefix)) {
        // One UNLINK per key: on a Cluster node, a multi-key UNLINK must stay within one slot.
        const replies = await Promise.all(keys.map((key) => raw.unlink(key)));
        deleted += replies.reduce((sum, n) => sum + n, 0);
      }
    }
    return deleted;
  });
}

/**
 * A client without keyPrefix (SCAN returns full key names, which UNLINK must get unchanged),
 * and its servers: the one server (Sentinel's master), or every master (`all`: every node) of a
 * Cluster.
 */
export async function withServers<T>(
  target: RedisTarget,
  use: (servers: Redis[], client: Redis | Cluster) => Promise<T>,
  which: 'master' | 'all' = 'master',
): Promise<T> {
  const client = rawClient(driverOf(target));
  try {
    if (client instanceof Cluster) {
      await clusterReady(client);
      return await use(client.nodes(which), client);
    }
    return await use([client], client);
  } finally {
    client.disconnect();
  }
}

/** How many connections subscribe to `channel` (PUBSUB NUMSUB, summed over a Cluster's nodes). */
export function subscribersOf(channel: string, target: RedisTarget = REDIS_URL): Promise<number> {
  return withServers(
    target,
    async (servers) => {
      const replies = await Promise.all(servers.map((s) => s.pubsub('NUMSUB', channel)));
      return replies.reduce<number>((sum, reply) => sum + Number(reply[1]), 0);
    },
    'all',
  );
}

function clusterReady(client: Cluster): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the Cluster is not ready within 5 s')), 5000);
    client.once('ready', () => resolve(clearTimeout(timer)));
    client.once('end', () => reject(new Error('the Cluster cannot be reached')));
  });
}

/** Connects once, no reconnecting: a topology that is down fails the test instead of hanging it. */
function rawClient(driver: RedisDriver): Redis | Cluster {
  const once = { maxRetriesPerRequest: 1, retryStrategy: () => null };
  switch (driver.mode) {
    case 'standalone':
      return new Redis(driver.url, once);
    case 'sentinel': {
      const { sentinels, name } = driver;
      return new Redis({ ...once, sentinels, name, sentinelRetryStrategy: () => null });
    }
    case 'cluster':
      return new Cluster(driver.nodes, { clusterRetryStrategy: () => null, redisOptions: once });
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

  /** `target`: the shared standalone Redis unless a Sentinel or Cluster is given. */
  constructor(readonly target: RedisTarget = REDIS_URL) {}

  /** A ready connection (commands fail fast, not queue, until then). */
  async connect(subPrefix = ''): Promise<RedisConnection> {
    const connection = redisConnection(`${this.prefix}${subPrefix}`, this.target);
    this.connections.push(connection);
    if (!(await connection.waitUntilReady(5000))) {
      throw new Error(`Redis (${JSON.stringify(this.target)}) is down`);
    }
    return connection;
  }

  async cleanup(): Promise<void> {
    try {
      await deleteKeysWithPrefix(this.prefix, this.target);
    } finally {
      await Promise.all(this.connections.map((c) => c.onApplicationShutdown()));
    }
  }
}
