import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Authenticated encryption of small secrets at rest (AES-256-GCM, a fresh 96-bit IV each time).
 * Every box is bound to a `context` (e.g. the user id) as additional data: a ciphertext copied to
 * another user's record does not open there. The format names the key (`v1.<key id>.<iv>.<box>`)
 * so a later key rotation can tell which key sealed a value; the key id is a digest, never key
 * material.
 */
export class SecretBox {
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('SecretBox needs a 32-byte key');
    this.keyId = createHash('sha256').update(key).digest('base64url').slice(0, 8);
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv).setAAD(Buffer.from(context));
    const sealed = Buffer.concat([
      cipher.update(plaintext, 'utf8'),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    return [VERSION, this.keyId, iv.toString('base64url'), sealed.toString('base64url')].join('.');
  }

  /** The plaintext, or null when the box is not ours, was sealed for another context or altered. */
  open(box: string, context: string): string | null {
    const [version, keyId, iv, sealed, ...rest] = box.split('.');
    if (version !== VERSION || keyId !== this.keyId || rest.length > 0 || !iv || !sealed)
      return null;
    const bytes = Buffer.from(sealed, 'base64url');
    if (bytes.length < TAG_BYTES) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'))
        .setAAD(Buffer.from(context))
        .setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      const body = bytes.subarray(0, bytes.length - TAG_BYTES);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }
}
