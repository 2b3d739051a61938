import { Clock } from '../../common/time/clock';
import { FailClosed } from '../../redis/fail-closed';
import { RedisClient } from '../../redis/redis.scripts';
import { ReplicaAcks } from '../../redis/replica-acks';
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
import { byCreation, sessionFromFlat, sessionFromHash, sessionToFields } from './session-hash';

/*
 * Key layout (under the configured prefix). Everything of one user shares the hash tag
 * `{u:<userId>}`, so one script reads or changes it atomically, also on a Cluster (users spread
 * over all slots). The scripts get the user's key base `{u:<userId>}:` and add the suffixes
 * themselves: the session ids of a logout-all are only known inside the script. Redis Cluster
 * runs such scripts (no shebang flags) as long as every key is in the script's slot, which the
 * one hash tag guarantees.
 *   {u:<uid>}:gen            STRING credential generation, bumped by every "end all sessions"
 *   {u:<uid>}:sessions       ZSET   session ids scored by last use (the cap ends the lowest)
 *   {u:<uid>}:s:<sid>        HASH   Session fields + current refreshHash + gen
 *   {u:<uid>}:r:<sid>        SET    refresh hashes rotated away (reuse detection)
 *   {u:<uid>}:g:<sid>        HASH   the latest rotation's sealed answer, for the refresh grace
 *                                   window (hash, client, sealed); expires with the window
 *   {u:<uid>}:j:<sid>:<jti>  STRING revoked access token, until the token's own expiry
 *   {u:<uid>}:devices        ZSET   known device ids scored by expiry
 *   {u:<uid>}:dp:<proof id>  STRING a DPoP proof used with one of the user's tokens (replays)
 *   once:<id>                       single-use ids (WebSocket tickets)
 * Session keys expire at the session's end (PEXPIREAT); the generation never expires.
 */
/** The key base of everything of one user's sessions (one hash tag: one Cluster slot). */
export const sessionKeyBase = (userId: string) => `{u:${userId}}:`;
const base = sessionKeyBase;
/** The key of a user's credential generation. */
export const generationKey = (userId: string) => `${base(userId)}gen`;
const key = {
  gen: generationKey,
  session: ({ userId, sessionId }: SessionRef) => `${base(userId)}s:${sessionId}`,
  retired: ({ userId, sessionId }: SessionRef) => `${base(userId)}r:${sessionId}`,
  jti: ({ userId, sessionId }: SessionRef, jti: string) => `${base(userId)}j:${sessionId}:${jti}`,
  devices: (userId: string) => `${base(userId)}devices`,
  once: (id: string) => `once:${id}`,
};

const ACCESS_CHECKS: readonly AccessCheck[] = [
  'active',
  'session-ended',
  'token-revoked',
  'proof-replayed',
];

/** The reply of an access-check script as an AccessCheck; anything else is a defect of ours. */
export function accessCheckOf(reply: unknown): AccessCheck {
  const check = ACCESS_CHECKS.find((c) => c === reply);
  if (!check) throw new Error(`the access check replied ${String(reply)}`);
  return check;
}

/**
 * Sessions in Redis; the atomic steps are Lua scripts (src/redis/scripts). What ends a session or
 * a token goes through `acks`, answered once a replica has it (see ReplicaAcks).
 */
@FailClosed()
export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly clock: Clock,
    private readonly acks = new ReplicaAcks(redis, 0),
  ) {}

  async generation(userId: string): Promise<number> {
    return Number((await this.redis.get(key.gen(userId))) ?? 0);
  }

  async create(session: NewSession, maxSessions: number): Promise<CreateSessionResult> {
    const [status, ...evicted] = await this.redis.sessionCreate(
      base(session.userId),
      session.generation,
      maxSessions,
      session.lastUsedAt,
      session.id,
      session.expiresAt,
      ...sessionToFields(session),
    );
    if (status === 'stale') return { status };
    if (status === 'created') return { status, evicted };
    throw new Error(`session_create.lua replied ${status}`);
  }

  async get(ref: SessionRef): Promise<Session | null> {
    return sessionFromHash(await this.redis.hgetall(key.session(ref)));
  }

  async listForUser(userId: string): Promise<Session[]> {
    const flat = await this.redis.sessionList(base(userId));
    return flat
      .map(sessionFromFlat)
      .filter((s) => s !== null)
      .sort(byCreation);
  }

  async rotate(
    ref: SessionRef,
    presented: string,
    next: string,
    now: number,
    jkt: string | null = null,
    grace?: RefreshGrace,
  ): Promise<RotateResult> {
    const reply = await this.acks.run(
      'rotate',
      base(ref.userId),
      ref.sessionId,
      presented,
      next,
      now,
      jkt ?? '',
      grace?.client ?? '',
      grace?.sealed ?? '',
      grace?.expiresAt ?? '',
    );
    const [status, ...rest] = reply;
    if (status === 'dpop-mismatch') return { status };
    const sealed = status === 'grace' ? rest.shift() : undefined;
    const session = sessionFromFlat(rest);
    if (status === 'invalid' || session === null) return { status: 'invalid' };
    if (status === 'rotated' || status === 'reused') return { status, session };
    if (status === 'grace' && sealed) return { status, session, sealed };
    throw new Error(`rotate.lua replied ${status}`);
  }

  async refreshHashState(ref: SessionRef, hash: string): Promise<RefreshHashState> {
    // Two reads of one hash tag (one write, one round trip: the client sends a turn's commands
    // together, redis.client-factory.ts). Not atomic, and need not be: a hash only ever moves
    // from current to retired, and both count as issued.
    const [current, retired] = await Promise.all([
      this.redis.hget(key.session(ref), 'refreshHash'),
      this.redis.sismember(key.retired(ref), hash),
    ]);
    if (current === null) return 'unknown';
    if (current === hash) return 'current';
    return retired === 1 ? 'retired' : 'unknown';
  }

  async revoke(ref: SessionRef): Promise<boolean> {
    return (await this.acks.run('revoke', base(ref.userId), ref.sessionId)) === 1;
  }

  async revokeAllForUser(userId: string, exceptSessionId?: string): Promise<string[]> {
    return await this.acks.run('sessionEndAll', base(userId), exceptSessionId ?? '');
  }

  async revokeAccessToken(ref: SessionRef, jti: string, expiresAt: number): Promise<void> {
    await this.acks.run('set', key.jti(ref, jti), '1', 'PXAT', expiresAt);
  }

  async checkAccess(ref: SessionRef, jti: string, proof?: ProofMark): Promise<AccessCheck> {
    const reply = proof
      ? await this.redis.checkAccessDpop(
          base(ref.userId),
          ref.sessionId,
          jti,
          proof.id,
          proof.until,
        )
      : await this.redis.checkAccess(base(ref.userId), ref.sessionId, jti);
    return accessCheckOf(reply);
  }

  async consumeOnce(id: string, expiresAt: number): Promise<boolean> {
    return (await this.redis.set(key.once(id), '1', 'PXAT', expiresAt, 'NX')) === 'OK';
  }

  async rememberDevice(
    userId: string,
    deviceId: string,
    generation: number,
    expiresAt: number,
    maxDevices: number,
  ): Promise<boolean> {
    const now = this.clock.now();
    const args = [generation, deviceId, expiresAt, now, maxDevices] as const;
    return (await this.redis.deviceRemember(base(userId), ...args)) === 1;
  }

  async isKnownDevice(userId: string, deviceId: string): Promise<boolean> {
    const expiresAt = await this.redis.zscore(key.devices(userId), deviceId);
    return expiresAt !== null && Number(expiresAt) > this.clock.now();
  }
}
