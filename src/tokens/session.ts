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
  /** Scopes granted at login; refreshes keep them. */
  scope: string;
}

export interface NewSession extends Session {
  /** SHA-256 (base64url) of the first refresh-token secret. */
  refreshHash: string;
}

export type RotateResult =
  /** The presented hash was current: it is now retired and `next` is current. */
  | { status: 'rotated'; session: Session }
  /** The presented hash was retired earlier: the session has been revoked (RFC 9700 §4.14). */
  | { status: 'reused'; session: Session }
  /** No such live session, or a hash this session never issued. */
  | { status: 'invalid' };

export type AccessCheck = 'active' | 'session-ended' | 'token-revoked';
