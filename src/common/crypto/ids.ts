import { createHash, randomFillSync } from 'node:crypto';

/**
 * Random bytes are drawn from the CSPRNG 4 KiB at a time, as Node's own `randomUUID` does: one
 * `crypto.randomBytes(32)` call costs ~1.7 µs on Node 24 (most of it OpenSSL's per-call setup), a
 * slice of the pool ~0.15 µs, and a login or a token refresh takes four to six of them. Each byte
 * is handed out once and zeroed as it is, so the pool only ever holds bytes not yet used.
 */
const POOL_BYTES = 4096;
/** The most one call takes, so a refill always serves it. */
const MAX_DRAW = 256;
const pool = Buffer.alloc(POOL_BYTES);
let drawn = POOL_BYTES;

/** Runs `read` on `n` fresh random bytes of the pool (start and end offsets), then zeroes them. */
function draw<T>(n: number, read: (start: number, end: number) => T): T {
  if (!Number.isInteger(n) || n < 1 || n > MAX_DRAW) {
    throw new RangeError(`random draws are 1 to ${MAX_DRAW} bytes, not ${n}`);
  }
  if (drawn + n > POOL_BYTES) {
    randomFillSync(pool);
    drawn = 0;
  }
  const start = drawn;
  drawn += n;
  try {
    return read(start, start + n);
  } finally {
    pool.fill(0, start, start + n);
  }
}

/**
 * A UUIDv7 (RFC 9562): time-ordered, so ids sort by creation and serve as pagination cursors.
 * Node 20 has no built-in v7.
 */
export function uuidv7(nowMs: number = Date.now()): string {
  const bytes = Buffer.allocUnsafe(16);
  draw(16, (start, end) => pool.copy(bytes, 0, start, end));
  bytes.writeUIntBE(nowMs, 0, 6);
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** An unguessable url-safe random string with `bytes` (at most 256) of entropy. */
export function randomToken(bytes = 32): string {
  return draw(bytes, (start, end) => pool.toString('base64url', start, end));
}

/**
 * SHA-256 of a random secret, base64url: how single-use secrets are stored. A secret of full
 * entropy needs no password-style stretching; a leaked store yields nothing usable.
 */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}
