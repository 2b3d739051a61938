/** The protected header of a compact JWS, parsed defensively. */
export interface JoseHeader {
  alg?: unknown;
  typ?: unknown;
  kid?: unknown;
  crit?: unknown;
  [name: string]: unknown;
}

/** Compact JWS: three base64url parts. Tokens above this size are refused before any parsing. */
export const MAX_TOKEN_LENGTH = 8192;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Decodes the header of a compact JWS; null for anything that is not one. */
export function decodeHeader(token: string): JoseHeader | null {
  if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) return null;
  try {
    const header: unknown = JSON.parse(
      Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8'),
    );
    return typeof header === 'object' && header !== null && !Array.isArray(header)
      ? (header as JoseHeader)
      : null;
  } catch {
    return null;
  }
}

/** RFC 8725 §3.11: `typ` compares case-insensitively, with or without the `application/` prefix. */
export function typIs(header: JoseHeader, expected: string): boolean {
  if (typeof header.typ !== 'string') return false;
  const typ = header.typ.toLowerCase();
  return typ === expected || typ === `application/${expected}`;
}
