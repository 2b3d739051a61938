import { Inject } from '@nestjs/common';

/** Called with the ids of sockets evicted beyond a cap, on whichever instance evicted them. */
export type SocketsEvictedListener = (socketIds: string[]) => void;

/**
 * Fan-out of "close these sockets (4429)" to every instance: the store evicts the oldest socket of
 * a session or user, which may be held by another instance. It travels as a second kind of message
 * over the session-ended fan-out (the same drivers and channel, see SessionEvents), and like it is
 * best effort: an instance also learns of its evicted sockets when it renews their leases.
 */
export interface SocketEvictions {
  /** Tells every instance, this one included, to close the sockets. */
  publishEvicted(socketIds: string[]): Promise<void>;
  /** Adds a listener for the rest of the process's life; returns its removal. */
  onEvicted(listener: SocketsEvictedListener): () => void;
}
export const SocketEvictions = Symbol('SocketEvictions');
export const InjectSocketEvictions = () => Inject(SocketEvictions);
