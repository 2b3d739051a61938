/** The protected header of a compact JWS, parsed defensively. */
export interface JoseHeader {
  alg?: unknown;
  typ?: unknown;
  kid?: unknown;
  crit?: unknown;
  [name: string]: unknown;
}

/** A compact JWS split into the parts the pre-signature checks need. */
export interface CompactJws {
  header: JoseHeader;
  /** The signature segment as presented (base64url, never empty). */
  signature: string;
}

/**
 * Tokens above this size are refused before any parsing (RFC 8725 §3.1 spirit: bound the work an
 * unauthenticated caller can cause). Ours stay under 2 KB even with RSA-4096 and every scope.
 */
export const MAX_TOKEN_LENGTH = 8192;

/**
 * Exactly three non-empty base64url segments. An empty signature is never acceptable: unsecured
 * JWS (`alg: none`) is not a form we verify, whatever the header claims.
 */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Splits a compact JWS and parses its header; null for anything that is not one. */
export function parseCompactJws(token: string): CompactJws | null {
  if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) return null;
  const [headerPart, , signature] = token.split('.');
  const header = parseHeaderJson(Buffer.from(headerPart, 'base64url'));
  return header ? { header, signature } : null;
}

/** Decodes the header of a compact JWS; null for anything that is not one. */
export function decodeHeader(token: string): JoseHeader | null {
  return parseCompactJws(token)?.header ?? null;
}

/** RFC 8725 §3.11: `typ` compares case-insensitively, with or without the `application/` prefix. */
export function typIs(header: JoseHeader, expected: string): boolean {
  if (typeof header.typ !== 'string') return false;
  const typ = header.typ.toLowerCase();
  return typ === expected || typ === `application/${expected}`;
}

/**
 * A JSON object made of ASCII only. jsonwebtoken (via jws) decodes the header as latin1
 * where a UTF-8 decoder would read any byte above 0x7f differently; refusing such bytes means our
 * checks and the verifier read the very same header, so no value can look one way to one and
 * another way to the other. Our own headers are plain ASCII.
 */
function parseHeaderJson(bytes: Buffer): JoseHeader | null {
  if (bytes.some((b) => b > 0x7f)) return null;
  try {
    const header: unknown = JSON.parse(bytes.toString('ascii'));
    return typeof header === 'object' && header !== null && !Array.isArray(header)
      ? (header as JoseHeader)
      : null;
  } catch {
    return null;
  }
}
