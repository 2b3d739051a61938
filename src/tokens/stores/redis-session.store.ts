import { Clock } from '../../common/time/clock';
import { FailClosed } from '../../redis/fail-closed';
import { RedisClient } from '../../redis/redis.scripts';
import { AccessCheck, NewSession, RotateResult, Session } from '../session';
import { RefreshHashState, SessionStore } from '../session.store';
import { byCreation, sessionFromFlat, sessionFromHash, sessionToFields } from './session-hash';

/*
 * Key layout (under the configured prefix). Everything about one session shares the hash tag
 * `{s:<sessionId>}`, so one script reads or changes it atomically, also on a Cluster, and
 * sessions spread over all slots. Every key expires at the session's end (PEXPIREAT).
 *   {s:<sid>}:session     HASH  Session fields + current refreshHash
 *   {s:<sid>}:retired     SET   refresh hashes rotated away (reuse detection)
 *   {s:<sid>}:jti:<jti>   revoked access token, until the token's own expiry
 *   user-sessions:{<uid>} SET   the user's session ids; ended ones are dropped when listed
 *   once:<id>             single-use ids (WebSocket tickets)
 */
const key = {
  session: (sid: string) => `{s:${sid}}:session`,
  retired: (sid: string) => `{s:${sid}}:retired`,
  jti: (sid: string, jti: string) => `{s:${sid}}:jti:${jti}`,
  userSessions: (userId: string) => `user-sessions:{${userId}}`,
  once: (id: string) => `once:${id}`,
};

const ACCESS_CHECKS: readonly AccessCheck[] = ['active', 'session-ended', 'token-revoked'];

/** Sessions in Redis; the atomic steps are Lua scripts (src/redis/scripts). */
@FailClosed()
export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly clock: Clock,
  ) {}

  async create(session: NewSession): Promise<void> {
    // Index first: a session that exists is always findable by revokeAllForUser. The two keys
    // are in different slots, so this is two steps; a dangling index entry is dropped later.
    const { id, userId, expiresAt } = session;
    await this.redis.sessionIndex(key.userSessions(userId), id, expiresAt, this.clock.now());
    await this.redis.sessionCreate(key.session(id), expiresAt, ...sessionToFields(session));
  }

  async get(sessionId: string): Promise<Session | null> {
    return sessionFromHash(await this.redis.hgetall(key.session(sessionId)));
  }

  async listForUser(userId: string): Promise<Session[]> {
    const ids = await this.redis.smembers(key.userSessions(userId));
    const sessions = await Promise.all(ids.map((id) => this.get(id)));
    const ended = ids.filter((_, i) => sessions[i] === null);
    if (ended.length > 0) await this.redis.srem(key.userSessions(userId), ...ended);
    return sessions.filter((s) => s !== null).sort(byCreation);
  }

  async rotate(
    sessionId: string,
    presented: string,
    next: string,
    now: number,
  ): Promise<RotateResult> {
    const reply = await this.redis.rotate(
      key.session(sessionId),
      key.retired(sessionId),
      presented,
      next,
      now,
    );
    const [status, ...fields] = reply;
    const session = sessionFromFlat(fields);
    if (status === 'invalid' || session === null) return { status: 'invalid' };
    if (status === 'rotated' || status === 'reused') return { status, session };
    throw new Error(`rotate.lua replied ${status}`);
  }

  async refreshHashState(sessionId: string, hash: string): Promise<RefreshHashState> {
    // Two reads of one hash tag (one round trip when auto-pipelined). Not atomic, and need not
    // be: a hash only ever moves from current to retired, and both count as issued.
    const [current, retired] = await Promise.all([
      this.redis.hget(key.session(sessionId), 'refreshHash'),
      this.redis.sismember(key.retired(sessionId), hash),
    ]);
    if (current === null) return 'unknown';
    if (current === hash) return 'current';
    return retired === 1 ? 'retired' : 'unknown';
  }

  async revoke(sessionId: string): Promise<boolean> {
    return (await this.redis.revoke(key.session(sessionId), key.retired(sessionId))) === 1;
  }

  async revokeAllForUser(userId: string, exceptSessionId?: string): Promise<string[]> {
    const ids = await this.redis.smembers(key.userSessions(userId));
    const targets = ids.filter((id) => id !== exceptSessionId);
    // Concurrent calls ride one auto-pipeline (one round trip), also across Cluster slots.
    const live = await Promise.all(targets.map((id) => this.revoke(id)));
    if (targets.length > 0) await this.redis.srem(key.userSessions(userId), ...targets);
    return targets.filter((_, i) => live[i]);
  }

  async revokeAccessToken(sessionId: string, jti: string, expiresAt: number): Promise<void> {
    await this.redis.set(key.jti(sessionId, jti), '1', 'PXAT', expiresAt);
  }

  async checkAccess(sessionId: string, jti: string): Promise<AccessCheck> {
    const reply = await this.redis.checkAccess(key.session(sessionId), key.jti(sessionId, jti));
    const check = ACCESS_CHECKS.find((c) => c === reply);
    if (!check) throw new Error(`check_access.lua replied ${reply}`);
    return check;
  }

  async consumeOnce(id: string, expiresAt: number): Promise<boolean> {
    return (await this.redis.set(key.once(id), '1', 'PXAT', expiresAt, 'NX')) === 'OK';
  }
}
