/** The JOSE ECDSA algorithms we may verify, with their curve parameters (RFC 7518 §3.4). */
const CURVES = {
  /** P-256: r and s are 32 bytes each; n is the order of the base point (FIPS 186-4 D.1.2.3). */
  ES256: {
    bytes: 32,
    order: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  },
} as const;

export type EcdsaAlgorithm = keyof typeof CURVES;

export function isEcdsaAlgorithm(alg: string): alg is EcdsaAlgorithm {
  return Object.hasOwn(CURVES, alg);
}

/**
 * Whether a JWS signature segment is a well-formed JOSE ECDSA signature: canonical base64url of
 * exactly r‖s (64 bytes for ES256, never DER), with 1 ≤ r, s ≤ n−1.
 *
 * A verifier that skips the range check accepts r = s = 0 for any message and any key
 * (CVE-2022-21449, "psychic signatures"). Node's OpenSSL does check, but this is the one place a
 * forged token would become a valid one, so we refuse such signatures ourselves before
 * jsonwebtoken ever sees them rather than trust every layer below to keep doing so.
 */
export function isValidJoseEcdsaSignature(alg: EcdsaAlgorithm, segment: string): boolean {
  const { bytes, order } = CURVES[alg];
  const raw = Buffer.from(segment, 'base64url');
  // Canonical encoding only: one signature, one spelling (no trailing-bit or padding variants).
  if (raw.length !== 2 * bytes || raw.toString('base64url') !== segment) return false;
  return inRange(raw.subarray(0, bytes), order) && inRange(raw.subarray(bytes), order);
}

function inRange(integer: Buffer, order: bigint): boolean {
  const value = BigInt(`0x${integer.toString('hex')}`);
  return value >= 1n && value < order;
}
