import { createHash, JsonWebKey, KeyObject } from 'node:crypto';

/** The members RFC 7638 hashes, per key type, in lexicographic order. */
const THUMBPRINT_MEMBERS: Record<string, string[]> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
  oct: ['k', 'kty'],
};

/** RFC 7638 JWK thumbprint (SHA-256, base64url): the `kid` of every key we sign with. */
export function jwkThumbprint(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  const members = THUMBPRINT_MEMBERS[jwk.kty ?? ''];
  if (!members) throw new Error(`No thumbprint for key type ${jwk.kty}`);
  const canonical = JSON.stringify(
    Object.fromEntries(members.map((m) => [m, jwk[m as keyof JsonWebKey]])),
  );
  return createHash('sha256').update(canonical).digest('base64url');
}

/** The public JWK of a verification key, as published in the JWKS. */
export function publicJwk(key: KeyObject, kid: string, alg: string): JsonWebKey & { kid: string } {
  const { kty, n, e, crv, x, y } = key.export({ format: 'jwk' });
  const material = kty === 'RSA' ? { kty, n, e } : { kty, crv, x, y };
  return { ...material, kid, alg, use: 'sig' };
}
