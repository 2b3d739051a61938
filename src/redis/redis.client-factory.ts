import { Cluster, Redis, RedisOptions } from 'ioredis';
import { StoreDriver } from '../config/env.validation';

/** The Redis variants of the store driver. */
export type RedisDriver = Extract<StoreDriver, { kind: 'redis' }>;

/** Reconnect forever, backing off to at most one second: Tessera recovers by itself. */
const reconnectDelay = (times: number): number => Math.min(times * 100, 1000);

/**
 * Fail fast while Redis is down: no offline queue (a command without a connection rejects at
 * once), one retry per command and a command timeout for a server that stopped answering. The
 * service then answers 503 instead of piling up requests that hang.
 *
 * The command timeout bounds the one call that discovers a hung Redis (SIGSTOP, a partition):
 * that timeout opens the client's circuit (StoreCircuit), so the request's later store calls and
 * every other request fail at once. The contract gives a request 1 s to answer 503; 500 ms leaves
 * the other half for the rest of the request, and is still a hundred times a slow Redis reply
 * (our commands are O(1) or small scripts: well under 5 ms even at a busy p99.9).
 */
export const COMMAND_TIMEOUT_MS = 500;

/**
 * A Cluster command to a master that is gone (SIGKILL, until its replica is promoted) or to a
 * cluster that answers CLUSTERDOWN is retried every 100 ms (ioredis's retryDelayOnFailover and
 * retryDelayOnClusterDown), up to maxRedirections times, redirections (MOVED, ASK) included.
 * ioredis allows 16: 1.6 s before a request could answer 503, which the command timeout does not
 * bound (each retry is a new command). Five keep a failover's 503 within the contract's 1 s and
 * still follow every redirection of a resharding (a slot moves once: ASK, then MOVED).
 */
const CLUSTER_MAX_REDIRECTIONS = 5;

/**
 * No per-command timer here: the one connection of a standalone or Sentinel client is bounded by
 * a CommandWatchdog (command-watchdog.ts, started by RedisConnection) at the same
 * COMMAND_TIMEOUT_MS; every other connection asks for the timer (WITH_COMMAND_TIMEOUT).
 */
const FAIL_FAST = {
  maxRetriesPerRequest: 1,
  connectTimeout: 5000,
  // How long disconnect() waits for a socket to close before destroying it. ioredis arms this
  // timer even when the socket is long gone (Redis down at shutdown), holding the exit back.
  disconnectTimeout: 500,
} satisfies RedisOptions;

/** For a Cluster's nodes and `duplicate()` of a standalone or Sentinel client. */
export const WITH_COMMAND_TIMEOUT = { commandTimeout: COMMAND_TIMEOUT_MS } satisfies RedisOptions;

/** A set of running auto-pipelines that never holds one: see overlappingAutoPipelines. */
class NoneRunning extends Set<string> {
  override has(): boolean {
    return false;
  }
}

/**
 * ioredis sends one auto-pipelined batch at a time per connection: commands issued while a batch
 * waits for its replies wait for it too, and go as the next batch once it is answered (its
 * `_runningAutoPipelines`, which it needs for a Cluster's nodes). A standalone or Sentinel client
 * has one connection to one server, which answers in the order batches are written, so here each
 * batch goes at the end of its event-loop turn, as for a client without auto-pipelining, and
 * still as one write. Under load a command no longer waits a whole round trip for the batch
 * before it: `GET /auth/me` main thread 44.7 -> 42.6 µs, p99 13.3 -> 11.7 ms (bench/README.md).
 * It replaces an ioredis 6 internal, like CommandWatchdog (ioredis is pinned; an upgrade must
 * re-check both; redis.client-factory.spec.ts fails if this one stops working).
 */
function overlappingAutoPipelines(client: Redis): Redis {
  const internals = client as unknown as { _runningAutoPipelines?: Set<string> };
  if (internals._runningAutoPipelines instanceof Set)
    internals._runningAutoPipelines = new NoneRunning();
  return client;
}

/**
 * Builds the ioredis client for the configured driver: standalone, Sentinel or Cluster. A
 * standalone or Sentinel client needs a CommandWatchdog (RedisConnection starts it).
 */
export function createRedisClient(driver: RedisDriver, keyPrefix: string): Redis | Cluster {
  const common = { keyPrefix, enableAutoPipelining: true, enableOfflineQueue: false };
  switch (driver.mode) {
    case 'standalone':
      return overlappingAutoPipelines(
        new Redis(driver.url, { ...common, ...FAIL_FAST, retryStrategy: reconnectDelay }),
      );
    case 'sentinel':
      return overlappingAutoPipelines(
        new Redis({
          ...common,
          ...FAIL_FAST,
          sentinels: driver.sentinels,
          name: driver.name,
          retryStrategy: reconnectDelay,
          sentinelRetryStrategy: reconnectDelay,
        }),
      );
    case 'cluster':
      // keyPrefix belongs at the top level of the Cluster options: the Cluster applies it (also
      // for slot routing and scripts), the per-node clients must not add it a second time.
      // No auto-pipelining on a Cluster: ioredis batches per node and follows a MOVED only when
      // every command of the batch got the same one, so after a failover our requests got raw
      // MOVED errors (500s) and kept going to the old node (redis/ioredis#2075, open in 6.0.0).
      return new Cluster(driver.nodes, {
        ...common,
        enableAutoPipelining: false,
        clusterRetryStrategy: reconnectDelay,
        maxRedirections: CLUSTER_MAX_REDIRECTIONS,
        redisOptions: { ...FAIL_FAST, ...WITH_COMMAND_TIMEOUT },
      });
  }
}

/** Where the driver points, safe to log: never the URL's user or password. */
export function describeDriver(driver: RedisDriver): string {
  switch (driver.mode) {
    case 'standalone': {
      const url = new URL(driver.url);
      return `${url.protocol}//${url.host}${url.pathname}`;
    }
    case 'sentinel':
      return `sentinel ${driver.name} via ${driver.sentinels.map((s) => `${s.host}:${s.port}`).join(',')}`;
    case 'cluster':
      return `cluster ${driver.nodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
  }
}
