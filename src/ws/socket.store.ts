import { Inject } from '@nestjs/common';

/** One open WebSocket, as the store counts it. Ids are UUIDs. */
export interface SocketRef {
  socketId: string;
  userId: string;
  sessionId: string;
}

/** How many sockets one session, and one user over all their sessions, may hold open. */
export interface SocketLimits {
  perSession: number;
  perUser: number;
}

/**
 * How long a counted socket stays counted without its instance renewing it. Each instance renews
 * its sockets every `SOCKET_RENEW_EVERY_MS`, so a lease survives two missed renewals (a GC pause,
 * a Redis hiccup) and lapses only for an instance that is gone.
 *
 * Why leases and not only "remove on close": a crashed or partitioned instance never runs its
 * close handlers, and its sockets would then count against their users forever. A TTL on the
 * user's whole key would not do either, because the user's live sockets on other instances keep
 * renewing it. So each socket carries its own lease (a second sorted set, scored by when the lease
 * ends, beside the one ordered by admission), and every store call first forgets lapsed sockets.
 */
export const SOCKET_LEASE_MS = 90_000;
export const SOCKET_RENEW_EVERY_MS = 30_000;

/**
 * The open WebSockets of every instance, counted per session and per user in the shared store, so
 * the caps hold for the deployment as a whole rather than per instance.
 */
export interface SocketStore {
  /**
   * Counts the socket in and, in the same atomic step, evicts the oldest sockets beyond the caps:
   * first the session's, then the user's. Returns the evicted socket ids, oldest first; never the
   * socket being admitted. The caller closes the evicted sockets, wherever they are.
   */
  admit(socket: SocketRef, limits: SocketLimits): Promise<string[]>;
  /** Stops counting a closed socket. Harmless for a socket that is not counted. */
  release(socket: SocketRef): Promise<void>;
  /**
   * Renews the leases of sockets still open on this instance. Returns the ids of those that are
   * no longer counted (evicted, or lapsed): their instance must close them, they hold no slot.
   */
  renew(sockets: SocketRef[]): Promise<string[]>;
  /** The counted sockets of the user (of one session when given), oldest first. */
  list(userId: string, sessionId?: string): Promise<string[]>;
}
export const SocketStore = Symbol('SocketStore');
export const InjectSocketStore = () => Inject(SocketStore);
