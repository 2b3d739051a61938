import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { Cluster, Redis } from 'ioredis';
import { RedisConnection } from '../../redis/redis.connection';
import { IdListeners } from './listeners';
import { SessionEndedListener, SessionEvents } from './session-events';
import { SocketEvictions, SocketsEvictedListener } from './socket-evictions';

/** Session and socket ids are UUIDs; anything else in a message is ignored. */
const ID = /^[0-9a-f-]{36}$/;

/**
 * Redis pub/sub fan-out: every instance publishes on, and subscribes to, one channel under the key
 * prefix (ioredis never prefixes channels, so it is added here; deployments sharing a Redis stay
 * apart). A subscribed connection can do nothing else, so the subscriber is a duplicate of the
 * store's client, opened on the first listener and closed on shutdown. ioredis re-subscribes by
 * itself after a reconnect; what was published meanwhile is lost, which the gateway's periodic
 * re-check covers.
 *
 * Two kinds of message share the channel: a JSON array of ended session ids (the format since
 * the first release, so instances of mixed versions understand each other during a rolling
 * deploy), and `{"evicted":[socket ids]}` for sockets evicted beyond a cap, which an older
 * instance ignores as a non-array.
 */
export class RedisSessionEvents implements SessionEvents, SocketEvictions, OnApplicationShutdown {
  private readonly logger = new Logger(RedisSessionEvents.name);
  private readonly ended = new IdListeners(this.logger, 'session-ended');
  private readonly evicted = new IdListeners(this.logger, 'sockets-evicted');
  private subscriber: Redis | Cluster | undefined;

  constructor(private readonly connection: RedisConnection) {}

  private get channel(): string {
    return `${this.connection.client.options.keyPrefix ?? ''}session-ended`;
  }

  async publishEnded(sessionIds: string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    await this.connection.client.publish(this.channel, JSON.stringify(sessionIds));
  }

  onEnded(listener: SessionEndedListener): () => void {
    this.subscriber ??= this.subscribe();
    return this.ended.add(listener);
  }

  async publishEvicted(socketIds: string[]): Promise<void> {
    if (socketIds.length === 0) return;
    await this.connection.client.publish(this.channel, JSON.stringify({ evicted: socketIds }));
  }

  onEvicted(listener: SocketsEvictedListener): () => void {
    this.subscriber ??= this.subscribe();
    return this.evicted.add(listener);
  }

  async onApplicationShutdown(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (!subscriber) return;
    // QUIT only over a live connection: this client queues commands while offline, so a QUIT sent
    // while Redis is down would wait for a reconnect that may never come and hold shutdown back.
    if (subscriber.status !== 'ready') return subscriber.disconnect();
    try {
      await subscriber.quit();
    } catch {
      subscriber.disconnect();
    }
  }

  private subscribe(): Redis | Cluster {
    const client = this.connection.client;
    // The store's client fails fast without a connection; the subscriber instead queues its
    // SUBSCRIBE until connected, so a Redis that is down at start-up is subscribed to later.
    const subscriber =
      client instanceof Cluster
        ? client.duplicate(undefined, { enableOfflineQueue: true })
        : client.duplicate({ enableOfflineQueue: true });
    // Like the store's client: log each new kind of error once, not every reconnect attempt.
    let lastError: string | undefined;
    subscriber.on('error', (error: Error) => {
      if (error.message !== lastError) this.logger.warn(`Subscriber: ${error.message}`);
      lastError = error.message;
    });
    subscriber.on('ready', () => (lastError = undefined));
    subscriber.on('message', (channel: string, message: string) => this.deliver(channel, message));
    subscriber.subscribe(this.channel).catch((error: Error) => {
      this.logger.error(`Cannot subscribe to session-ended events: ${error.message}`);
    });
    return subscriber;
  }

  private deliver(channel: string, message: string): void {
    if (channel !== this.channel) return;
    const parsed = parse(message);
    if (Array.isArray(parsed)) return this.emit(this.ended, parsed);
    if (typeof parsed === 'object' && parsed !== null && 'evicted' in parsed) {
      this.emit(this.evicted, parsed.evicted);
    }
  }

  private emit(listeners: IdListeners, value: unknown): void {
    const ids = Array.isArray(value)
      ? value.filter((id): id is string => typeof id === 'string' && ID.test(id))
      : [];
    if (ids.length > 0) listeners.emit(ids);
  }
}

function parse(message: string): unknown {
  try {
    return JSON.parse(message);
  } catch {
    return undefined;
  }
}
