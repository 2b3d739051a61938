import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { TokenResponse } from './token.types';

/** What a rotation keeps for its refresh grace window: its answer, and when it was given. */
export interface GraceAnswer {
  response: TokenResponse;
  /** Epoch ms. */
  issuedAt: number;
}

const INFO = 'tessera refresh-grace v1';
const FORMAT = /^v1\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]+)$/;

/*
 * A grace answer holds a usable token pair, so the store keeps it only sealed: AES-256-GCM under
 * a key derived (HKDF-SHA256) from the secret of the refresh token it answers. The store has only
 * that secret's SHA-256, so whoever reads the store (a backup, a replica, a MONITOR) cannot open
 * it; whoever holds the presented refresh token could have used it in the first place. The
 * associated data binds it to its session and client, so it cannot be moved to another one.
 */

/** The client identity as the store keeps it: a SHA-256, never the cookie or key it came from. */
export function graceClientHash(client: string): string {
  return createHash('sha256').update(client).digest('base64url');
}

/** Seals `answer` for whoever presents `presented` (a well-formed refresh token) again. */
export function sealGraceAnswer(presented: string, context: string, answer: GraceAnswer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(presented), iv).setAAD(Buffer.from(context));
  const sealed = Buffer.concat([
    cipher.update(JSON.stringify(answer), 'utf8'),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  return `v1.${iv.toString('base64url')}.${sealed.toString('base64url')}`;
}

/** The answer `sealGraceAnswer` sealed; null when it does not open with this token and context. */
export function openGraceAnswer(
  presented: string,
  context: string,
  sealed: string,
): GraceAnswer | null {
  const match = FORMAT.exec(sealed);
  if (!match) return null;
  const data = Buffer.from(match[2], 'base64url');
  if (data.length <= 16) return null;
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      keyOf(presented),
      Buffer.from(match[1], 'base64url'),
    )
      .setAAD(Buffer.from(context))
      .setAuthTag(data.subarray(data.length - 16));
    const plain = Buffer.concat([
      decipher.update(data.subarray(0, data.length - 16)),
      decipher.final(),
    ]);
    return JSON.parse(plain.toString('utf8')) as GraceAnswer;
  } catch {
    return null; // tampered with, or another token's: no answer
  }
}

function keyOf(presented: string): Buffer {
  const secret = Buffer.from(presented.slice(presented.lastIndexOf('.') + 1), 'base64url');
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), INFO, 32));
}
