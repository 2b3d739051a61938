import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { TokenResponse } from './token.types';

/** What a rotation keeps for its refresh grace window: its answer, and when it was given. */
export interface GraceAnswer {
  response: TokenResponse;
  /** Epoch ms. */
  issuedAt: number;
}

const INFO = 'tessera refresh-grace v2';
const FORMAT = /^v2\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]+)$/;

/*
 * A grace answer holds a usable token pair, so the store keeps it only sealed: AES-256-GCM under
 * a key derived (HKDF-SHA256) from the secret of the refresh token it answers AND a server key
 * (REFRESH_GRACE_KEY, the HKDF salt). The store has only that secret's SHA-256, so whoever reads
 * the store (a backup, a replica, a MONITOR) cannot open it; nor can whoever has read the store
 * and also holds the retired token (from an old log, a leaked body): the server key is in
 * neither. Whoever holds the presented token and talks to the service goes through the grace
 * check (the same client) like anyone. The associated data binds an answer to its session and
 * client, so it cannot be moved to another one.
 */

/** The client identity as the store keeps it: a SHA-256, never the cookie or key it came from. */
export function graceClientHash(client: string): string {
  return createHash('sha256').update(client).digest('base64url');
}

/** Seals and opens grace answers under the server key and the answered refresh token. */
export class RefreshGraceSeal {
  constructor(private readonly serverKey: Buffer) {
    if (serverKey.length !== 32) throw new Error('RefreshGraceSeal needs a 32-byte key');
  }

  /** Seals `answer` for whoever presents `presented` (a well-formed refresh token) again. */
  seal(presented: string, context: string, answer: GraceAnswer): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keyOf(presented), iv);
    cipher.setAAD(Buffer.from(context));
    const sealed = Buffer.concat([
      cipher.update(JSON.stringify(answer), 'utf8'),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    return `v2.${iv.toString('base64url')}.${sealed.toString('base64url')}`;
  }

  /** The answer `seal` sealed; null when it does not open with this token and context. */
  open(presented: string, context: string, sealed: string): GraceAnswer | null {
    const match = FORMAT.exec(sealed);
    if (!match) return null;
    const data = Buffer.from(match[2], 'base64url');
    if (data.length <= 16) return null;
    const iv = Buffer.from(match[1], 'base64url');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.keyOf(presented), iv)
        .setAAD(Buffer.from(context))
        .setAuthTag(data.subarray(data.length - 16));
      const plain = Buffer.concat([
        decipher.update(data.subarray(0, data.length - 16)),
        decipher.final(),
      ]);
      return JSON.parse(plain.toString('utf8')) as GraceAnswer;
    } catch {
      return null; // tampered with, another token's, or another server key's: no answer
    }
  }

  private keyOf(presented: string): Buffer {
    const secret = Buffer.from(presented.slice(presented.lastIndexOf('.') + 1), 'base64url');
    return Buffer.from(hkdfSync('sha256', secret, this.serverKey, INFO, 32));
  }
}
