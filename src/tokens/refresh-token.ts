import { createHash } from 'node:crypto';
import { randomToken } from '../common/crypto/ids';
import { SessionRef } from './session';

const FORMAT = /^([0-9a-f-]{36})_([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/;

/** A presented refresh token, split: which session it names and the hash of its secret. */
export interface ParsedRefreshToken extends SessionRef {
  hash: string;
}

/**
 * A refresh token is `<userId>_<sessionId>.<256-bit secret>`: opaque to clients, two
 * dot-separated parts so it can never parse as a JWT. The user id is there because a session
 * lives under its user in the store (one slot per user, see SessionStore). Only the SHA-256 of
 * the secret is stored: the secret has full entropy, so a fast hash suffices (no password-style
 * stretching needed) and a leaked store yields nothing usable.
 */
export function newRefreshToken(ref: SessionRef): { token: string; hash: string } {
  const secret = randomToken(32);
  return { token: `${ref.userId}_${ref.sessionId}.${secret}`, hash: hashSecret(secret) };
}

/** Splits a presented token; null when it is not one of ours in shape. */
export function parseRefreshToken(token: string): ParsedRefreshToken | null {
  const match = FORMAT.exec(token);
  return match ? { userId: match[1], sessionId: match[2], hash: hashSecret(match[3]) } : null;
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}
