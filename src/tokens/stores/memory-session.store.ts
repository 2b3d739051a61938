import { Clock } from '../../common/time/clock';
import { AccessCheck, NewSession, RotateResult, Session } from '../session';
import { RefreshHashState, SessionStore } from '../session.store';
import { byCreation } from './session-hash';

interface Entry {
  session: Session;
  refreshHash: string;
  retired: Set<string>;
}

const jtiKey = (sessionId: string, jti: string): string => JSON.stringify([sessionId, jti]);

/** Sweep expired entries every this many writes, so memory stays bounded without a timer. */
const SWEEP_EVERY = 1000;

/**
 * Sessions in process memory: complete for one process, with the Redis driver's semantics.
 * Expiry follows the injected Clock (an entry is gone once `now >= expiresAt`), and every read
 * returns a copy. Single-threaded JavaScript makes each method atomic, like the Redis scripts.
 */
export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, Entry>();
  private readonly byUser = new Map<string, Set<string>>();
  /** Revoked `jtiKey(sessionId, jti)`s and used once-ids, each to its expiresAt. */
  private readonly revokedJtis = new Map<string, number>();
  private readonly usedOnce = new Map<string, number>();
  private writes = 0;

  constructor(private readonly clock: Clock) {}

  create(session: NewSession): Promise<void> {
    const { refreshHash, ...rest } = session;
    this.sessions.set(session.id, { session: rest, refreshHash, retired: new Set() });
    const ids = this.byUser.get(session.userId) ?? new Set<string>();
    this.byUser.set(session.userId, ids.add(session.id));
    this.wrote();
    return Promise.resolve();
  }

  get(sessionId: string): Promise<Session | null> {
    const entry = this.live(sessionId);
    return Promise.resolve(entry ? { ...entry.session } : null);
  }

  listForUser(userId: string): Promise<Session[]> {
    const ids = [...(this.byUser.get(userId) ?? [])];
    const sessions = ids.map((id) => this.live(id)?.session).filter((s) => s !== undefined);
    return Promise.resolve(sessions.map((s) => ({ ...s })).sort(byCreation));
  }

  rotate(sessionId: string, presented: string, next: string, now: number): Promise<RotateResult> {
    const entry = this.live(sessionId);
    if (!entry) return Promise.resolve({ status: 'invalid' });
    if (entry.refreshHash === presented) {
      entry.retired.add(presented);
      entry.refreshHash = next;
      entry.session.lastUsedAt = now;
      return Promise.resolve({ status: 'rotated', session: { ...entry.session } });
    }
    // A retired hash coming back means a stolen or replayed refresh token: end the session
    // (RFC 9700 §4.14). A hash never issued changes nothing, or a session id would suffice to
    // end someone else's session.
    if (!entry.retired.has(presented)) return Promise.resolve({ status: 'invalid' });
    this.end(sessionId);
    return Promise.resolve({ status: 'reused', session: { ...entry.session } });
  }

  refreshHashState(sessionId: string, hash: string): Promise<RefreshHashState> {
    const entry = this.live(sessionId);
    if (!entry) return Promise.resolve('unknown');
    if (entry.refreshHash === hash) return Promise.resolve('current');
    return Promise.resolve(entry.retired.has(hash) ? 'retired' : 'unknown');
  }

  revoke(sessionId: string): Promise<boolean> {
    const live = this.live(sessionId) !== undefined;
    this.end(sessionId);
    return Promise.resolve(live);
  }

  async revokeAllForUser(userId: string, exceptSessionId?: string): Promise<string[]> {
    const ended: string[] = [];
    for (const id of [...(this.byUser.get(userId) ?? [])]) {
      if (id !== exceptSessionId && (await this.revoke(id))) ended.push(id);
    }
    return ended;
  }

  revokeAccessToken(sessionId: string, jti: string, expiresAt: number): Promise<void> {
    this.revokedJtis.set(jtiKey(sessionId, jti), expiresAt);
    this.wrote();
    return Promise.resolve();
  }

  checkAccess(sessionId: string, jti: string): Promise<AccessCheck> {
    if (!this.live(sessionId)) return Promise.resolve('session-ended');
    const revoked = this.unexpired(this.revokedJtis, jtiKey(sessionId, jti));
    return Promise.resolve(revoked ? 'token-revoked' : 'active');
  }

  consumeOnce(id: string, expiresAt: number): Promise<boolean> {
    if (this.unexpired(this.usedOnce, id)) return Promise.resolve(false);
    // Like SET ... PXAT in the past: accepted, and gone at once.
    if (expiresAt > this.clock.now()) this.usedOnce.set(id, expiresAt);
    this.wrote();
    return Promise.resolve(true);
  }

  private live(sessionId: string): Entry | undefined {
    const entry = this.sessions.get(sessionId);
    if (entry && entry.session.expiresAt <= this.clock.now()) {
      this.end(sessionId);
      return undefined;
    }
    return entry;
  }

  private end(sessionId: string): void {
    const entry = this.sessions.get(sessionId);
    if (!entry) return;
    this.sessions.delete(sessionId);
    const ids = this.byUser.get(entry.session.userId);
    ids?.delete(sessionId);
    if (ids?.size === 0) this.byUser.delete(entry.session.userId);
  }

  private unexpired(map: Map<string, number>, key: string): boolean {
    const expiresAt = map.get(key);
    if (expiresAt === undefined) return false;
    if (expiresAt > this.clock.now()) return true;
    map.delete(key);
    return false;
  }

  private wrote(): void {
    if (++this.writes % SWEEP_EVERY !== 0) return;
    for (const id of [...this.sessions.keys()]) this.live(id);
    for (const map of [this.revokedJtis, this.usedOnce]) {
      for (const key of [...map.keys()]) this.unexpired(map, key);
    }
  }
}
