import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Cluster } from 'ioredis';
import { gotNoAnswer } from './fail-closed';
import { CommandWatchdog } from './command-watchdog';
import {
  COMMAND_TIMEOUT_MS,
  createRedisClient,
  describeDriver,
  RedisDriver,
  WITH_COMMAND_TIMEOUT,
} from './redis.client-factory';
import { REDIS_MODULE_OPTIONS, RedisModuleOptions } from './redis.module-definition';
import { defineScripts, RedisClient } from './redis.scripts';
import { ReplicaAcks } from './replica-acks';
import { attachCircuit, StoreCircuit } from './store-circuit';

const PING_TIMEOUT_MS = 500;

/** The acknowledged writes and the connection of their own they use (none on standalone). */
interface ReplicaAcksOn {
  acks: ReplicaAcks;
  client?: RedisClient;
}

/**
 * The process's one Redis client. It is created on first use, so with the memory driver no
 * connection is ever opened. It never crashes the process: errors are logged and the client
 * reconnects by itself while store calls fail fast (see `StoreUnavailableError`). A circuit
 * (StoreCircuit) stands in front of the client: while Redis does not answer, store calls and the
 * readiness check fail at once.
 */
@Injectable()
export class RedisConnection implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisConnection.name);
  private instance: RedisClient | undefined;
  private acked: ReplicaAcksOn | undefined;
  private circuit: StoreCircuit | undefined;
  private watchdog: CommandWatchdog | undefined;
  private lastError: string | undefined;

  constructor(@Inject(REDIS_MODULE_OPTIONS) private readonly options: RedisModuleOptions) {}

  /** The ioredis client; throws when the configured driver is `memory`. */
  get client(): RedisClient {
    this.instance ??= this.connect(this.redisDriver());
    return this.instance;
  }

  /**
   * Revocations that must outlive a failover (see ReplicaAcks): on Sentinel and Cluster they wait
   * for a replica, over a connection of their own; standalone Redis has no failover.
   */
  get acks(): ReplicaAcks {
    const client = this.client; // opens their connection too
    this.acked ??= this.ackedWrites(this.redisDriver(), client);
    return this.acked.acks;
  }

  /**
   * Waits until the client is ready, for at most `timeoutMs`. Resolves false on timeout instead
   * of throwing: the service starts anyway and answers 503 until Redis comes back.
   */
  async waitUntilReady(timeoutMs: number): Promise<boolean> {
    if (this.options.driver.kind === 'memory') return true;
    const client = this.client;
    if (client.status === 'ready') return true;
    return new Promise<boolean>((resolve) => {
      const done = (ready: boolean): void => {
        clearTimeout(timer);
        client.off('ready', onReady);
        resolve(ready);
      };
      const onReady = (): void => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      client.once('ready', onReady);
    });
  }

  /**
   * Whether Redis answers a PING quickly; always true with the memory driver (no Redis). False at
   * once while the circuit is open; a PING that gets no answer opens it.
   */
  async isHealthy(): Promise<boolean> {
    if (this.options.driver.kind === 'memory') return true;
    const client = this.client;
    if (this.circuit?.isOpen) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS);
    });
    const ping = client.ping().then(
      (reply) => reply === 'PONG',
      (error: unknown) => {
        if (gotNoAnswer(error)) this.circuit?.trip();
        return false;
      },
    );
    try {
      return await Promise.race([ping, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const clients = [this.instance, this.acked?.client].filter((c) => c !== undefined);
    this.instance = undefined;
    this.acked = undefined;
    this.circuit?.dispose();
    try {
      // The watchdog outlives the QUIT it may have to time out: a hung Redis (SIGSTOP) still
      // reads as connected, so close() sends QUIT, and only a timeout turns that into a
      // disconnect. Without it, SIGTERM during a Redis outage never ended the process.
      await Promise.all(clients.map(close));
    } finally {
      this.watchdog?.dispose();
      this.watchdog = undefined;
    }
  }

  private redisDriver(): RedisDriver {
    const driver = this.options.driver;
    if (driver.kind === 'memory') {
      throw new Error('RedisConnection.client used with the memory store driver (no REDIS_* set)');
    }
    return driver;
  }

  private ackedWrites(driver: RedisDriver, main: RedisClient): ReplicaAcksOn {
    if (driver.mode === 'standalone') return { acks: new ReplicaAcks(main, 0) };
    // Opened with the store's client, and with an offline queue: a write sent while it (re)connects
    // waits for it, bounded like every command by the command timeout.
    const queue = { enableOfflineQueue: true };
    const client = defineScripts(
      main instanceof Cluster
        ? main.duplicate(undefined, queue)
        : main.duplicate({ ...queue, ...WITH_COMMAND_TIMEOUT }),
    );
    // The store's client logs connection errors; this one has the same server and fate.
    client.on('error', () => undefined);
    return { acks: new ReplicaAcks(client, 1), client };
  }

  private connect(driver: RedisDriver): RedisClient {
    const target = describeDriver(driver);
    const client = defineScripts(createRedisClient(driver, this.options.keyPrefix));
    if (!(client instanceof Cluster))
      this.watchdog = new CommandWatchdog(client, COMMAND_TIMEOUT_MS);
    this.acked = this.ackedWrites(driver, client);
    this.circuit = new StoreCircuit(() => client.ping(), target);
    attachCircuit(client, this.circuit);
    // Without an 'error' listener an unreachable Redis would crash the process. Log each new
    // kind of error once (not every reconnect attempt), and the recovery.
    client.on('error', (error: Error) => {
      if (error.message === this.lastError) return;
      this.lastError = error.message;
      this.logger.error(`Redis (${target}) error: ${error.message}`);
    });
    client.on('ready', () => {
      if (this.lastError !== undefined) this.logger.log(`Redis (${target}) is ready again`);
      this.lastError = undefined;
    });
    return client;
  }
}

async function close(client: RedisClient): Promise<void> {
  // QUIT only over a live connection: one that queues commands while offline would hold it.
  if (client.status !== 'ready') return client.disconnect();
  try {
    await client.quit();
  } catch {
    // Redis is already gone: nothing to flush, just drop the sockets and reconnect timers.
    client.disconnect();
  }
}
