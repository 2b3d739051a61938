import { createHash } from 'node:crypto';
import { randomToken } from '../common/crypto/ids';

const FORMAT = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/;

/**
 * A refresh token is `<sessionId>.<256-bit secret>`: opaque to clients, two dot-separated parts so
 * it can never parse as a JWT. Only the SHA-256 of the secret is stored: the secret has full
 * entropy, so a fast hash suffices (no password-style stretching needed) and a leaked store
 * yields nothing usable.
 */
export function newRefreshToken(sessionId: string): { token: string; hash: string } {
  const secret = randomToken(32);
  return { token: `${sessionId}.${secret}`, hash: hashSecret(secret) };
}

/** Splits a presented token; null when it is not one of ours in shape. */
export function parseRefreshToken(token: string): { sessionId: string; hash: string } | null {
  const match = FORMAT.exec(token);
  return match ? { sessionId: match[1], hash: hashSecret(match[2]) } : null;
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}
