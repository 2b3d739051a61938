import { randomToken, secretHash } from '../../common/crypto/ids';

const FORMAT = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/;

/** A presented mailed token, split: whose it is and the hash of its secret. */
export interface ParsedUserToken {
  userId: string;
  hash: string;
}

/**
 * The single-use tokens mailed in links (email verification, password reset) are
 * `<userId>.<256-bit secret>`: the user id says where the token lives in the store (under the
 * user's hash tag, see the Redis drivers); only the SHA-256 of the secret is stored, so a leaked
 * store proves nothing for anyone.
 */
export function newUserToken(userId: string): { token: string; hash: string } {
  const secret = randomToken(32);
  return { token: `${userId}.${secret}`, hash: secretHash(secret) };
}

/** Splits a presented token; null when it is not one of ours in shape. */
export function parseUserToken(token: string): ParsedUserToken | null {
  const match = FORMAT.exec(token);
  return match ? { userId: match[1], hash: secretHash(match[2]) } : null;
}
