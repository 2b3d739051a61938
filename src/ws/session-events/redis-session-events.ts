import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { Cluster, Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { WITH_COMMAND_TIMEOUT } from '../../redis/redis.client-factory';
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
 * store's client, opened on the first listener and closed on shutdown. It subscribes every time
 * it becomes ready (the first connection, and after every reconnect), retrying until Redis takes
 * the SUBSCRIBE; what was published while it was not subscribed is lost, which the gateway's
 * periodic re-check covers.
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
    // QUIT only over a live connection: there is nothing to flush otherwise, and a QUIT that
    // waited for a reconnect that may never come would hold shutdown back.
    if (subscriber.status !== 'ready') return subscriber.disconnect();
    try {
      await subscriber.quit();
    } catch {
      subscriber.disconnect();
    }
  }

  private subscribe(): Redis | Cluster {
    const client = this.connection.client;
    // Not ioredis's own means: a SUBSCRIBE queued while Redis is down, or its re-subscription
    // after a reconnect, is failed after one retry (maxRetriesPerRequest) and never sent again,
    // which left an app whose Redis started late without events for good. So: SUBSCRIBE on every
    // 'ready', until it succeeds. (A Cluster's subscriber node is picked, and changed when it
    // fails, by ioredis, which subscribes the new one to what the old one had.)
    const subscriber =
      client instanceof Cluster
        ? client.duplicate()
        : client.duplicate({ autoResubscribe: false, ...WITH_COMMAND_TIMEOUT });
    // Like the store's client: log each new kind of error once, not every reconnect attempt.
    let lastError: string | undefined;
    subscriber.on('error', (error: Error) => {
      if (error.message !== lastError) this.logger.warn(`Subscriber: ${error.message}`);
      lastError = error.message;
    });
    subscriber.on('ready', () => {
      lastError = undefined;
      void this.subscribeWhileReady(subscriber);
    });
    subscriber.on('message', (channel: string, message: string) => this.deliver(channel, message));
    return subscriber;
  }

  /** SUBSCRIBE, retried with back-off while connected; a reconnect's 'ready' starts over. */
  private async subscribeWhileReady(subscriber: Redis | Cluster): Promise<void> {
    for (let attempt = 1; this.subscriber === subscriber; attempt++) {
      if (subscriber.status !== 'ready') return;
      try {
        await subscriber.subscribe(this.channel);
        return;
      } catch (error) {
        this.logger.warn(`Cannot subscribe to session-ended events yet: ${String(error)}`);
      }
      await sleep(Math.min(attempt * 100, 1000), undefined, { ref: false });
    }
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
