import { Clock } from '../../common/time/clock';
import { SOCKET_LEASE_MS, SocketLimits, SocketRef, SocketStore } from '../socket.store';

interface Counted {
  sessionId: string;
  leaseEndsAt: number;
}

/**
 * `SocketStore` in process memory with the Redis driver's semantics. A user's sockets sit in one
 * Map, whose insertion order is the admission order; each call runs without an await, so it is
 * as atomic as the Redis script.
 */
export class MemorySocketStore implements SocketStore {
  private readonly users = new Map<string, Map<string, Counted>>();

  constructor(
    private readonly clock: Clock,
    private readonly leaseMs = SOCKET_LEASE_MS,
  ) {}

  admit(socket: SocketRef, limits: SocketLimits): Promise<string[]> {
    const sockets = this.live(socket.userId);
    sockets.set(socket.socketId, { sessionId: socket.sessionId, leaseEndsAt: this.leaseEnd() });
    this.users.set(socket.userId, sockets);
    const ofSession = [...sockets].filter(([, s]) => s.sessionId === socket.sessionId);
    const evicted = ofSession.slice(0, -limits.perSession).map(([id]) => id);
    evicted.forEach((id) => sockets.delete(id));
    const overUser = [...sockets.keys()].slice(0, -limits.perUser);
    overUser.forEach((id) => sockets.delete(id));
    return Promise.resolve([...evicted, ...overUser]);
  }

  release(socket: SocketRef): Promise<void> {
    const sockets = this.users.get(socket.userId);
    sockets?.delete(socket.socketId);
    if (sockets?.size === 0) this.users.delete(socket.userId);
    return Promise.resolve();
  }

  renew(refs: SocketRef[]): Promise<string[]> {
    const gone: string[] = [];
    for (const ref of refs) {
      const counted = this.live(ref.userId).get(ref.socketId);
      if (counted) counted.leaseEndsAt = this.leaseEnd();
      else gone.push(ref.socketId);
    }
    return Promise.resolve(gone);
  }

  list(userId: string, sessionId?: string): Promise<string[]> {
    const sockets = [...this.live(userId)];
    const of =
      sessionId === undefined ? sockets : sockets.filter(([, s]) => s.sessionId === sessionId);
    return Promise.resolve(of.map(([id]) => id));
  }

  private leaseEnd(): number {
    return this.clock.now() + this.leaseMs;
  }

  /** The user's sockets, after forgetting those whose lease lapsed. */
  private live(userId: string): Map<string, Counted> {
    const sockets = this.users.get(userId) ?? new Map<string, Counted>();
    const now = this.clock.now();
    for (const [id, counted] of sockets) if (counted.leaseEndsAt <= now) sockets.delete(id);
    if (sockets.size === 0) this.users.delete(userId);
    return sockets;
  }
}
