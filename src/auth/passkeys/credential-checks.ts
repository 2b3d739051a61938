import { cose, decodeCredentialPublicKey } from '@simplewebauthn/server/helpers';
import { createPublicKey, JsonWebKey } from 'node:crypto';

/*
 * Tessera's own checks of a new credential, after the library's (docs/passkeys.md): what it
 * stores must be usable at every later sign-in, and bounded.
 */

/** WebAuthn L3 §5.8.4 AuthenticatorTransport: the values a browser reports today. */
const KNOWN_TRANSPORTS: ReadonlySet<string> = new Set([
  'usb',
  'nfc',
  'ble',
  'smart-card',
  'hybrid',
  'internal',
]);

/**
 * The known transports of a credential, each once, in the order given. Unknown values are
 * dropped, not refused (WebAuthn §2.1.1: a relying party ignores enumeration values it does not
 * know, so a browser's newer one does not break a registration); the DTO bounds the list.
 */
export function usableTransports(given: readonly string[] | undefined): string[] {
  return [...new Set((given ?? []).filter((t) => KNOWN_TRANSPORTS.has(t)))];
}

/** WebAuthn L3 §5.1: a credential id is 1 to 1023 bytes. */
const MAX_CREDENTIAL_ID_BYTES = 1023;

/**
 * Why a credential's ids cannot be kept, or null: the attested credential id must be 1..1023
 * bytes, and the `id`/`rawId` the client sent must be that same id (sign-in looks it up by them).
 */
export function credentialIdProblem(
  sent: { id: string; rawId: string },
  attested: string,
): string | null {
  const bytes = Buffer.from(attested, 'base64url').length;
  if (bytes < 1 || bytes > MAX_CREDENTIAL_ID_BYTES)
    return 'its credential id is not 1 to 1023 bytes';
  if (sent.id !== attested || sent.rawId !== attested) {
    return 'its id is not the credential id it attests';
  }
  return null;
}

const RSA_MIN_BITS = 2048;
const RSA_MAX_BITS = 4096;
const RSA_EXPONENT = 65537n;

/**
 * Why a COSE public key cannot verify this service's sign-ins, or null: its algorithm must be
 * one of `algorithms`, its type and curve that algorithm's, and it must import into Node's
 * crypto (a point on its curve); an RSA key must have a 2048- to 4096-bit modulus and exponent
 * 65537 (smaller is breakable, larger costs every sign-in, other exponents are unusual enough to
 * be a crafted key).
 */
export function publicKeyProblem(
  publicKey: Uint8Array<ArrayBuffer>,
  algorithms: number[],
): string | null {
  let jwk: JsonWebKey | null;
  try {
    const key = decodeCredentialPublicKey(publicKey);
    const alg = key.get(cose.COSEKEYS.alg);
    if (alg === undefined || !algorithms.includes(alg)) return 'its algorithm is not allowed';
    jwk = jwkOf(key, alg);
  } catch {
    return 'its key cannot be read';
  }
  if (!jwk) return 'its key type or curve is not its algorithm’s';
  try {
    const details = createPublicKey({ key: jwk, format: 'jwk' }).asymmetricKeyDetails ?? {};
    if (jwk.kty !== 'RSA') return null;
    const bits = details.modulusLength ?? 0;
    if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS)
      return 'its RSA modulus is not 2048 to 4096 bits';
    return details.publicExponent === RSA_EXPONENT ? null : 'its RSA exponent is not 65537';
  } catch {
    return 'its key does not import';
  }
}

type CoseKey = ReturnType<typeof decodeCredentialPublicKey>;
const b64 = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString('base64url');

/**
 * The JWK of a COSE key of algorithm `alg`, or null when its type or curve is not alg's, or alg
 * is none of the three offered (an `if` chain, not a switch: COSEALG has many more members).
 */
function jwkOf(key: CoseKey, alg: cose.COSEALG): JsonWebKey | null {
  const kty = key.get(cose.COSEKEYS.kty);
  const crv = (key as cose.COSEPublicKeyEC2).get(cose.COSEKEYS.crv);
  if (alg === cose.COSEALG.EdDSA) {
    if (kty !== cose.COSEKTY.OKP || crv !== cose.COSECRV.ED25519) return null;
    return {
      kty: 'OKP',
      crv: 'Ed25519',
      x: b64((key as cose.COSEPublicKeyOKP).get(cose.COSEKEYS.x)),
    };
  }
  if (alg === cose.COSEALG.ES256) {
    if (kty !== cose.COSEKTY.EC2 || crv !== cose.COSECRV.P256) return null;
    const ec = key as cose.COSEPublicKeyEC2;
    return {
      kty: 'EC',
      crv: 'P-256',
      x: b64(ec.get(cose.COSEKEYS.x)),
      y: b64(ec.get(cose.COSEKEYS.y)),
    };
  }
  if (alg === cose.COSEALG.RS256) {
    if (kty !== cose.COSEKTY.RSA) return null;
    const rsa = key as cose.COSEPublicKeyRSA;
    return { kty: 'RSA', n: b64(rsa.get(cose.COSEKEYS.n)), e: b64(rsa.get(cose.COSEKEYS.e)) };
  }
  return null;
}
