import { randomToken, secretHash } from '../../common/crypto/ids';

const FORMAT = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/;

/** A presented verification token, split: whose it is and the hash of its secret. */
export interface ParsedVerificationToken {
  userId: string;
  hash: string;
}

/**
 * An email verification token is `<userId>.<256-bit secret>`: the user id says where the token
 * lives in the store (under the user, see the Redis driver); only the SHA-256 of the secret is
 * stored, so a leaked store verifies nobody's email.
 */
export function newVerificationToken(userId: string): { token: string; hash: string } {
  const secret = randomToken(32);
  return { token: `${userId}.${secret}`, hash: secretHash(secret) };
}

/** Splits a presented token; null when it is not one of ours in shape. */
export function parseVerificationToken(token: string): ParsedVerificationToken | null {
  const match = FORMAT.exec(token);
  return match ? { userId: match[1], hash: secretHash(match[2]) } : null;
}
