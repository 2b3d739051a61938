import { Cluster, Command, Redis, RedisOptions } from 'ioredis';
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

/** Where ioredis writes a command: the connection's socket, or a pipeline's buffer. */
type CommandStream = Parameters<Redis['sendCommand']>[1];

/**
 * Commands issued in one event-loop turn leave in one write at its end, as ioredis's
 * auto-pipelining sends them, without its per-batch Pipeline. Each of those defines its own
 * `length` accessor (a new closure per batch, which V8 answers by turning the batch into a
 * dictionary-mode object), and with that one line every batch outlived the scavenges until a full
 * GC, with what its closure reaches: its commands, their replies, the requests waiting on them.
 * Under load ~0.7 MB was promoted per scavenge and a mark-compact (a 6-10 ms pause) ran every half
 * second; a copy of ioredis without that line promotes nothing (bench/README.md).
 *
 * Here the socket is corked at the first command of a turn and uncorked when the turn's I/O is
 * done (setImmediate, where auto-pipelining flushed its batch): the turn's commands go out in one
 * writev. No command waits for an earlier one's replies (ioredis holds an auto-pipelined batch
 * until the one before it is answered). Redis answers one connection in order, so replies stay
 * with their commands. `sendCommand` is the one method every command goes through (scripts
 * included); redis.client-factory.spec.ts checks both properties on a real socket.
 */
function writesCoalescedPerTurn(client: Redis): Redis {
  const send = client.sendCommand;
  let corked: Redis['stream'] | null = null;
  const uncork = () => {
    const stream = corked;
    corked = null;
    stream?.uncork();
  };
  // Every command of every request comes through here: two fixed parameters, no rest array.
  client.sendCommand = function (this: Redis, command: Command, stream?: CommandStream) {
    if (corked === null && this.stream?.writable) {
      corked = this.stream;
      corked.cork();
      setImmediate(uncork);
    }
    return send.call(this, command, stream);
  };
  return client;
}

/**
 * Builds the ioredis client for the configured driver: standalone, Sentinel or Cluster. A
 * standalone or Sentinel client needs a CommandWatchdog (RedisConnection starts it).
 */
export function createRedisClient(driver: RedisDriver, keyPrefix: string): Redis | Cluster {
  const common = { keyPrefix, enableAutoPipelining: false, enableOfflineQueue: false };
  switch (driver.mode) {
    case 'standalone':
      return writesCoalescedPerTurn(
        new Redis(driver.url, { ...common, ...FAIL_FAST, retryStrategy: reconnectDelay }),
      );
    case 'sentinel':
      return writesCoalescedPerTurn(
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
