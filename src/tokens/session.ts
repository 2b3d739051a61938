/** A login session: one refresh-token family. Access tokens carry its id as `sid`. */
export interface Session {
  id: string;
  userId: string;
  /** Epoch milliseconds. */
  createdAt: number;
  lastUsedAt: number;
  /** Absolute end of the session (JWT_REFRESH_TTL after login); rotation never extends it. */
  expiresAt: number;
  userAgent: string | null;
  ip: string | null;
  /** Scopes granted at login. A refresh issues (granted ∩ allowed now), never more. */
  scope: string;
  /**
   * How the user signed in (RFC 8176 values, e.g. `pwd`, or `pwd otp mfa` with a second factor):
   * every access token of the session says so in `amr`. Absent on sessions started before it
   * existed, which were password sign-ins.
   */
  amr?: string[];
  /**
   * DPoP (RFC 9449): the thumbprint of the key the session is bound to. Its access tokens carry
   * it as `cnf.jkt` and its refresh tokens rotate only with a proof by that key.
   */
  jkt?: string;
}

/** Which session: sessions live under their user (one store slot per user, see SessionStore). */
export interface SessionRef {
  userId: string;
  sessionId: string;
}

export interface NewSession extends Session {
  /** SHA-256 (base64url) of the first refresh-token secret. */
  refreshHash: string;
  /**
   * The user's credential generation, read before the user's credentials and rights were: the
   * session is created only while it is still current (see SessionStore.generation).
   */
  generation: number;
}

export type CreateSessionResult =
  /** Created; `evicted` are the least recently used sessions it ended to stay within the cap. */
  | { status: 'created'; evicted: string[] }
  /** The user's generation moved on since it was read: no session was created. */
  | { status: 'stale' };

/**
 * The refresh grace window (REFRESH_REUSE_GRACE_SECONDS): what a rotation keeps so that the same
 * client presenting the same, now retired, refresh token again gets the same answer.
 */
export interface RefreshGrace {
  /** SHA-256 of the presenting client's identity (e.g. its verified device cookie); never raw. */
  client: string;
  /** The answer of this rotation, encrypted with a key only the presented token yields. */
  sealed: string;
  /** Epoch ms: the window's end (the store also forgets it at the session's end). */
  expiresAt: number;
}

export type RotateResult =
  /** The presented hash was current: it is now retired and `next` is current. */
  | { status: 'rotated'; session: Session }
  /**
   * The presented hash was retired by the session's latest rotation, within its grace window,
   * and from the client that rotated it: nothing changed, and `sealed` is that rotation's answer.
   */
  | { status: 'grace'; session: Session; sealed: string }
  /** The presented hash was retired earlier: the session has been revoked (RFC 9700 §4.14). */
  | { status: 'reused'; session: Session }
  /** No such live session, or a hash this session never issued. */
  | { status: 'invalid' }
  /** The session is bound to a DPoP key and the request proved another, or none: unchanged. */
  | { status: 'dpop-mismatch' };

export type AccessCheck = 'active' | 'session-ended' | 'token-revoked' | 'proof-replayed';

/** A DPoP proof presented with an access token: marked used by the access check, once. */
export interface ProofMark {
  /** A digest of the proof's key and `jti`. */
  id: string;
  /** Epoch ms until which the proof could still be accepted. */
  until: number;
}

export const sessionRef = (session: Pick<Session, 'userId' | 'id'>): SessionRef => ({
  userId: session.userId,
  sessionId: session.id,
});
