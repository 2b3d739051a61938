import { Inject } from '@nestjs/common';
import { AccessCheck, NewSession, RotateResult, Session } from './session';

/**
 * Sessions, their refresh tokens (as hashes only) and revoked access-token ids.
 *
 * Revoked `jti`s live beside their session on purpose: every authenticated request asks "is the
 * session active and is this jti not revoked" and that must cost one store round trip. In Redis
 * both keys share the `{s:<sessionId>}` hash tag so one script answers it, also on a Cluster.
 */
export interface SessionStore {
  /** Stores a new session; it disappears by itself at `expiresAt`. */
  create(session: NewSession): Promise<void>;
  get(sessionId: string): Promise<Session | null>;
  /** The user's live sessions, oldest first. */
  listForUser(userId: string): Promise<Session[]>;
  /**
   * Atomically retires `presentedHash` and makes `nextHash` current. Of concurrent calls with one
   * hash exactly one gets `rotated`; the first loser finds it retired, gets `reused` and ends the
   * session; later ones find no session and get `invalid`.
   */
  rotate(
    sessionId: string,
    presentedHash: string,
    nextHash: string,
    now: number,
  ): Promise<RotateResult>;
  /**
   * Whether `hash` is the live session's current refresh hash, one it retired, or neither (no
   * such session, or a hash it never issued). Read-only: revocation and introspection ask it.
   */
  refreshHashState(sessionId: string, hash: string): Promise<RefreshHashState>;
  /** Ends the session: its refresh and access tokens stop working. False when it was not live. */
  revoke(sessionId: string): Promise<boolean>;
  /** Ends every session of the user, except `exceptSessionId` when given; returns the ended ids. */
  revokeAllForUser(userId: string, exceptSessionId?: string): Promise<string[]>;
  /** Revokes one access token until `expiresAt` (epoch ms), when it would have expired anyway. */
  revokeAccessToken(sessionId: string, jti: string, expiresAt: number): Promise<void>;
  /** The per-request check: one round trip. */
  checkAccess(sessionId: string, jti: string): Promise<AccessCheck>;
  /**
   * Marks a single-use id (a WebSocket ticket's jti) as used until `expiresAt`; true only for
   * the first call with that id.
   */
  consumeOnce(id: string, expiresAt: number): Promise<boolean>;
}
export const SessionStore = Symbol('SessionStore');

export type RefreshHashState = 'current' | 'retired' | 'unknown';
export const InjectSessionStore = () => Inject(SessionStore);
