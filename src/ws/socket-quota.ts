import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { uuidv7 } from '../common/crypto/ids';
import { wsConfig, WsConfig } from '../config/configuration';
import { InjectSocketEvictions, SocketEvictions } from './session-events/socket-evictions';
import { ClosableSocket } from './session-expiry';
import {
  InjectSocketStore,
  SOCKET_RENEW_EVERY_MS,
  SocketLimits,
  SocketRef,
  SocketStore,
} from './socket.store';
import { WsCloseCode } from './ws-close-codes';

/** What the quota needs of a socket: `ws`'s WebSocket has it. */
export interface QuotaSocket extends ClosableSocket {
  readonly readyState: number;
}
/** `WebSocket.CLOSED`: the 'close' event has already been emitted. */
const CLOSED = 3;

interface Held {
  socket: QuotaSocket;
  ref: SocketRef;
  /** Set once the store has counted it: only counted sockets have a lease to renew. */
  counted: boolean;
}

/**
 * Caps the open WebSockets of a session and of a user over all instances together: the count is
 * in the shared SocketStore, and the oldest socket beyond a cap is closed with 4429 by whichever
 * instance holds it (told over the session-events fan-out). This instance renews the leases of its
 * sockets; a socket the store no longer counts (its eviction message was lost, or its lease lapsed
 * while this instance could not reach the store) is closed here on the next renewal.
 */
@Injectable()
export class SocketQuota implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SocketQuota.name);
  private readonly held = new Map<string, Held>();
  private readonly limits: SocketLimits;
  private stopListening: (() => void) | undefined;
  private renewTimer: NodeJS.Timeout | undefined;

  constructor(
    @InjectSocketStore() private readonly store: SocketStore,
    @InjectSocketEvictions() private readonly evictions: SocketEvictions,
    @Inject(wsConfig.KEY) config: WsConfig,
  ) {
    this.limits = { perSession: config.maxSocketsPerSession, perUser: config.maxSocketsPerUser };
  }

  onModuleInit(): void {
    this.stopListening = this.evictions.onEvicted((ids) => this.close(ids));
    this.renewTimer = setInterval(() => void this.renew(), SOCKET_RENEW_EVERY_MS).unref();
  }

  onModuleDestroy(): void {
    this.stopListening?.();
    clearInterval(this.renewTimer);
  }

  /**
   * Counts the socket in (it leaves the count when it closes) and has the sockets it displaces
   * closed, on every instance. Rejects when the store cannot be asked.
   */
  async admit(socket: QuotaSocket, userId: string, sessionId: string): Promise<void> {
    if (socket.readyState === CLOSED) return; // its 'close' has passed: it would never be released
    const ref: SocketRef = { socketId: uuidv7(), userId, sessionId };
    const held: Held = { socket, ref, counted: false };
    // Held before the store answers: an eviction that overtakes the answer still finds it.
    this.held.set(ref.socketId, held);
    const admitted = this.store.admit(ref, this.limits);
    socket.once('close', () => {
      this.held.delete(ref.socketId);
      // Released only after admission settled, so a socket closed meanwhile is not left counted.
      admitted
        .then(
          () => this.store.release(ref),
          () => undefined,
        )
        .catch((error: Error) => this.logger.warn(`WebSocket release failed: ${error.message}`));
    });
    const evicted = await admitted;
    held.counted = true;
    try {
      await this.evictions.publishEvicted(evicted);
    } catch (error) {
      // The store has evicted them; their instances close them at the next renewal instead.
      this.logger.warn(`WebSocket eviction notice failed: ${(error as Error).message}`);
    }
  }

  /** Renews this instance's counted sockets and closes those the store no longer counts. */
  async renew(): Promise<void> {
    const refs = [...this.held.values()].filter((h) => h.counted).map((h) => h.ref);
    if (refs.length === 0) return;
    try {
      this.close(await this.store.renew(refs));
    } catch (error) {
      this.logger.warn(`WebSocket lease renewal failed: ${(error as Error).message}`);
    }
  }

  private close(socketIds: string[]): void {
    for (const id of socketIds) {
      this.held.get(id)?.socket.close(WsCloseCode.TooManySockets, 'too many sockets');
    }
  }
}
