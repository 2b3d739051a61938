import { Clock } from '../../common/time/clock';
import {
  AccessCheck,
  CreateSessionResult,
  NewSession,
  ProofMark,
  RefreshGrace,
  RotateResult,
  Session,
  SessionRef,
} from '../session';
import { RefreshHashState, SessionStore } from '../session.store';
import { byCreation } from './session-hash';

interface Entry {
  session: Session;
  refreshHash: string;
  retired: Set<string>;
  generation: number;
  /** What the latest rotation kept for its presented hash (the refresh grace window). */
  grace?: RefreshGrace & { hash: string };
}

/** Everything of one user, as the Redis driver keeps it under one `{u:<userId>}` tag. */
interface UserState {
  generation: number;
  sessions: Map<string, Entry>;
  /** Known device ids to their expiresAt, in insertion (= age) order. */
  devices: Map<string, number>;
}

const jtiKey = (ref: SessionRef, jti: string): string =>
  JSON.stringify([ref.userId, ref.sessionId, jti]);

/** Sweep expired entries every this many writes, so memory stays bounded without a timer. */
const SWEEP_EVERY = 1000;

/**
 * Sessions in process memory: complete for one process, with the Redis driver's semantics.
 * Expiry follows the injected Clock (an entry is gone once `now >= expiresAt`), and every read
 * returns a copy. Single-threaded JavaScript makes each method atomic, like the Redis scripts.
 */
export class MemorySessionStore implements SessionStore {
  private readonly users = new Map<string, UserState>();
  /** Revoked `jtiKey(ref, jti)`s and used once-ids, each to its expiresAt. */
  private readonly revokedJtis = new Map<string, number>();
  private readonly usedOnce = new Map<string, number>();
  private writes = 0;

  constructor(private readonly clock: Clock) {}

  generation(userId: string): Promise<number> {
    return Promise.resolve(this.users.get(userId)?.generation ?? 0);
  }

  create(session: NewSession, maxSessions: number): Promise<CreateSessionResult> {
    const user = this.user(session.userId);
    if (user.generation !== session.generation) return Promise.resolve({ status: 'stale' });
    for (const id of [...user.sessions.keys()])
      this.live({ userId: session.userId, sessionId: id });
    const { refreshHash, generation, ...rest } = session;
    user.sessions.set(session.id, { session: rest, refreshHash, retired: new Set(), generation });
    // Least recently used first; ids (UUIDv7) break ties, as the Redis ZSET does.
    const byUse = [...user.sessions.values()]
      .map((e) => e.session)
      .sort((a, b) => a.lastUsedAt - b.lastUsedAt || (a.id < b.id ? -1 : 1));
    const evicted = byUse.slice(0, Math.max(0, byUse.length - maxSessions)).map((s) => s.id);
    for (const id of evicted) user.sessions.delete(id);
    this.wrote();
    return Promise.resolve({ status: 'created', evicted });
  }

  get(ref: SessionRef): Promise<Session | null> {
    const entry = this.live(ref);
    return Promise.resolve(entry ? { ...entry.session } : null);
  }

  listForUser(userId: string): Promise<Session[]> {
    const ids = [...(this.users.get(userId)?.sessions.keys() ?? [])];
    const sessions = ids
      .map((sessionId) => this.live({ userId, sessionId })?.session)
      .filter((s) => s !== undefined);
    return Promise.resolve(sessions.map((s) => ({ ...s })).sort(byCreation));
  }

  rotate(
    ref: SessionRef,
    presented: string,
    next: string,
    now: number,
    jkt: string | null = null,
    grace?: RefreshGrace,
  ): Promise<RotateResult> {
    const entry = this.live(ref);
    if (!entry) return Promise.resolve({ status: 'invalid' });
    // As rotate.lua: a bound session rotates only with its key, and nothing else happens.
    const bound = entry.session.jkt;
    if (bound !== undefined && bound !== jkt) return Promise.resolve({ status: 'dpop-mismatch' });
    if (entry.refreshHash === presented) {
      if (bound === undefined && jkt) entry.session.jkt = jkt;
      entry.retired.add(presented);
      entry.refreshHash = next;
      entry.session.lastUsedAt = now;
      // Only the latest rotation's answer is kept: an older retired hash is reuse, grace or not.
      entry.grace = grace && { ...grace, hash: presented };
      return Promise.resolve({ status: 'rotated', session: { ...entry.session } });
    }
    // A hash never issued changes nothing, or a session id would suffice to end someone else's
    // session.
    if (!entry.retired.has(presented)) return Promise.resolve({ status: 'invalid' });
    const kept = entry.grace;
    if (kept && grace && kept.hash === presented && kept.client === grace.client) {
      if (kept.expiresAt > this.clock.now()) {
        return Promise.resolve({
          status: 'grace',
          session: { ...entry.session },
          sealed: kept.sealed,
        });
      }
    }
    // A retired hash coming back means a stolen or replayed refresh token: end the session
    // (RFC 9700 §4.14).
    this.end(ref);
    return Promise.resolve({ status: 'reused', session: { ...entry.session } });
  }

  refreshHashState(ref: SessionRef, hash: string): Promise<RefreshHashState> {
    const entry = this.live(ref);
    if (!entry) return Promise.resolve('unknown');
    if (entry.refreshHash === hash) return Promise.resolve('current');
    return Promise.resolve(entry.retired.has(hash) ? 'retired' : 'unknown');
  }

  revoke(ref: SessionRef): Promise<boolean> {
    const live = this.live(ref) !== undefined;
    this.end(ref);
    return Promise.resolve(live);
  }

  revokeAllForUser(userId: string, exceptSessionId?: string): Promise<string[]> {
    const user = this.user(userId);
    const ended: string[] = [];
    let kept: Entry | undefined;
    for (const sessionId of [...user.sessions.keys()]) {
      const ref = { userId, sessionId };
      const entry = this.live(ref);
      if (sessionId === exceptSessionId) {
        kept = entry;
        continue;
      }
      if (entry) ended.push(sessionId);
      this.end(ref);
    }
    user.generation += 1;
    if (kept) kept.generation = user.generation;
    user.devices.clear();
    return Promise.resolve(ended);
  }

  revokeAccessToken(ref: SessionRef, jti: string, expiresAt: number): Promise<void> {
    this.revokedJtis.set(jtiKey(ref, jti), expiresAt);
    this.wrote();
    return Promise.resolve();
  }

  checkAccess(ref: SessionRef, jti: string, proof?: ProofMark): Promise<AccessCheck> {
    if (!this.live(ref)) return Promise.resolve('session-ended');
    const revoked = this.unexpired(this.revokedJtis, jtiKey(ref, jti));
    if (revoked) return Promise.resolve('token-revoked');
    if (proof) {
      const key = `dpop:${ref.userId}:${proof.id}`;
      if (this.unexpired(this.usedOnce, key)) return Promise.resolve('proof-replayed');
      if (proof.until > this.clock.now()) this.usedOnce.set(key, proof.until);
      this.wrote();
    }
    return Promise.resolve('active');
  }

  consumeOnce(id: string, expiresAt: number): Promise<boolean> {
    if (this.unexpired(this.usedOnce, id)) return Promise.resolve(false);
    // Like SET ... PXAT in the past: accepted, and gone at once.
    if (expiresAt > this.clock.now()) this.usedOnce.set(id, expiresAt);
    this.wrote();
    return Promise.resolve(true);
  }

  rememberDevice(
    userId: string,
    deviceId: string,
    generation: number,
    expiresAt: number,
    maxDevices: number,
  ): Promise<boolean> {
    const user = this.user(userId);
    if (user.generation !== generation) return Promise.resolve(false);
    const now = this.clock.now();
    for (const [id, until] of user.devices) if (until <= now) user.devices.delete(id);
    user.devices.delete(deviceId);
    user.devices.set(deviceId, expiresAt);
    // Every device lives equally long, so insertion order is expiry order: drop the oldest.
    for (const id of [...user.devices.keys()].slice(0, Math.max(0, user.devices.size - maxDevices)))
      user.devices.delete(id);
    return Promise.resolve(true);
  }

  isKnownDevice(userId: string, deviceId: string): Promise<boolean> {
    const until = this.users.get(userId)?.devices.get(deviceId);
    return Promise.resolve(until !== undefined && until > this.clock.now());
  }

  private user(userId: string): UserState {
    let user = this.users.get(userId);
    if (!user) {
      user = { generation: 0, sessions: new Map(), devices: new Map() };
      this.users.set(userId, user);
    }
    return user;
  }

  /**
   * The session when it exists, has not expired and belongs to the user's current generation;
   * anything else is removed on the way (as check_access.lua and rotate.lua treat it).
   */
  private live(ref: SessionRef): Entry | undefined {
    const user = this.users.get(ref.userId);
    const entry = user?.sessions.get(ref.sessionId);
    if (!user || !entry) return undefined;
    if (entry.session.expiresAt <= this.clock.now() || entry.generation !== user.generation) {
      this.end(ref);
      return undefined;
    }
    return entry;
  }

  private end(ref: SessionRef): void {
    this.users.get(ref.userId)?.sessions.delete(ref.sessionId);
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
    for (const [userId, user] of [...this.users]) {
      for (const sessionId of [...user.sessions.keys()]) this.live({ userId, sessionId });
      const now = this.clock.now();
      for (const [id, until] of user.devices) if (until <= now) user.devices.delete(id);
      // A user's generation must outlive its sessions; an empty record at generation 0 need not.
      if (user.sessions.size === 0 && user.devices.size === 0 && user.generation === 0)
        this.users.delete(userId);
    }
    for (const map of [this.revokedJtis, this.usedOnce]) {
      for (const key of [...map.keys()]) this.unexpired(map, key);
    }
  }
}
