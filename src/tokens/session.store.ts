import { Inject } from '@nestjs/common';
import {
  AccessCheck,
  CreateSessionResult,
  NewSession,
  ProofMark,
  RefreshGrace,
  RotateResult,
  Session,
  SessionRef,
} from './session';

/**
 * Sessions, their refresh tokens (as hashes only), revoked access-token ids, the user's known
 * devices and the user's credential generation.
 *
 * Everything of one user lives together (in Redis: one `{u:<userId>}` hash tag, so one slot of a
 * Cluster) because "a session ends for good" is an invariant across all of it: every change that
 * must end a user's sessions (logout-all, a password change, a change of rights, deletion) bumps
 * the user's generation and ends the sessions in one atomic step; a session is created only under
 * the generation its login read before it checked the credentials, and every rotation and every
 * per-request check compares the session's generation with the user's. So a login or refresh in
 * flight while such a change runs can never leave a session behind, whatever the timing.
 */
export interface SessionStore {
  /**
   * The user's credential generation (0 before the first change). Read it BEFORE reading the
   * user's credentials and rights that a new session is based on, and pass it to `create`.
   */
  generation(userId: string): Promise<number>;
  /**
   * Creates the session when `session.generation` is still the user's, and ends the user's least
   * recently used sessions beyond `maxSessions` — one atomic step. `stale`: nothing was created.
   */
  create(session: NewSession, maxSessions: number): Promise<CreateSessionResult>;
  get(ref: SessionRef): Promise<Session | null>;
  /** The user's live sessions, oldest first. */
  listForUser(userId: string): Promise<Session[]>;
  /**
   * Atomically retires `presentedHash` and makes `nextHash` current. Of concurrent calls with one
   * hash exactly one gets `rotated`; the first loser finds it retired, gets `reused` and ends the
   * session; later ones find no session and get `invalid`. A session of an old generation is
   * `invalid` (and removed).
   *
   * With `grace` (the refresh grace window), a rotation also keeps `grace.sealed` for its
   * presented hash until `grace.expiresAt`, replacing what an earlier rotation kept (a rotation
   * without `grace` forgets it). The retired hash presented again with the same `grace.client`
   * before then gets `grace` and that sealed answer, and nothing changes; from another client, or
   * after the window, or once the session has rotated again, it is `reused` as above. So
   * concurrent presentations of one hash by one client all get the one rotation's answer.
   */
  rotate(
    ref: SessionRef,
    presentedHash: string,
    nextHash: string,
    now: number,
    /** The thumbprint of the request's DPoP key; null without a proof (see RotateResult). */
    jkt?: string | null,
    grace?: RefreshGrace,
  ): Promise<RotateResult>;
  /**
   * Whether `hash` is the live session's current refresh hash, one it retired, or neither (no
   * such session, or a hash it never issued). Read-only: revocation and introspection ask it.
   */
  refreshHashState(ref: SessionRef, hash: string): Promise<RefreshHashState>;
  /** Ends the session: its refresh and access tokens stop working. False when it was not live. */
  revoke(ref: SessionRef): Promise<boolean>;
  /**
   * Bumps the user's generation and ends every session of the user (except `exceptSessionId`,
   * which moves to the new generation), and forgets the user's known devices; returns the ended
   * ids. One atomic step: no session created before it survives.
   */
  revokeAllForUser(userId: string, exceptSessionId?: string): Promise<string[]>;
  /** Revokes one access token until `expiresAt` (epoch ms), when it would have expired anyway. */
  revokeAccessToken(ref: SessionRef, jti: string, expiresAt: number): Promise<void>;
  /**
   * The per-request check: one round trip. With a DPoP proof, the proof is also marked used in
   * the same step, and a proof marked before answers 'proof-replayed' (only once the session and
   * the token checked out).
   */
  checkAccess(ref: SessionRef, jti: string, proof?: ProofMark): Promise<AccessCheck>;
  /**
   * Marks a single-use id (a WebSocket ticket's jti) as used until `expiresAt`; true only for
   * the first call with that id.
   */
  consumeOnce(id: string, expiresAt: number): Promise<boolean>;
  /**
   * Remembers a device (a device cookie's id) as known for the user until `expiresAt`, when
   * `generation` is still the user's, keeping only the newest `maxDevices`. False when stale.
   */
  rememberDevice(
    userId: string,
    deviceId: string,
    generation: number,
    expiresAt: number,
    maxDevices: number,
  ): Promise<boolean>;
  /** Whether the device is still known: not expired, evicted, or forgotten by a generation bump. */
  isKnownDevice(userId: string, deviceId: string): Promise<boolean>;
}
export const SessionStore = Symbol('SessionStore');

export type RefreshHashState = 'current' | 'retired' | 'unknown';
export const InjectSessionStore = () => Inject(SessionStore);
