import { Injectable } from '@nestjs/common';
import { constants, createHmac, KeyObject, sign, SignKeyObjectInput } from 'node:crypto';
import { JwtAlgorithm } from '../config/env.validation';
import { SigningKeys } from './signing-keys';

/** How node:crypto signs each asymmetric JOSE algorithm (RFC 7518 §3.3-3.5), SHA-256 for all. */
const ASYMMETRIC: Record<Exclude<JwtAlgorithm, 'HS256'>, (key: KeyObject) => SignKeyObjectInput> = {
  RS256: (key) => ({ key, padding: constants.RSA_PKCS1_PADDING }),
  PS256: (key) => ({
    key,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
  }),
  // JOSE carries r‖s, not the DER sequence OpenSSL writes by default.
  ES256: (key) => ({ key, dsaEncoding: 'ieee-p1363' }),
};

/** A private-key signature on libuv's thread pool (node:crypto with a callback), not the event loop. */
function signOnThreadPool(input: Buffer, key: SignKeyObjectInput): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    sign('sha256', input, key, (error, signature) => (error ? reject(error) : resolve(signature))),
  );
}

const base64url = (json: string) => Buffer.from(json).toString('base64url');

/**
 * Signs our JWS (access tokens, MFA tokens, WebSocket tickets) with the active key, its `kid`, and
 * the `typ` that tells the kinds apart (RFC 8725 §3.11): the one place a token gets its header.
 *
 * The compact JWS is what jsonwebtoken (`JwtService.sign`) writes for the same claims, byte for
 * byte (jws-signer.spec.ts), but the signature of an asymmetric key is made on libuv's thread
 * pool: an RSA-2048 signature is ~0.3 ms of CPU that blocked the event loop for every request
 * in flight, and was half of a refresh rotation's main-thread time (bench/README.md). HS256 (an
 * HMAC, ~1 µs) stays inline. Verification stays with JwtService and passport-jwt.
 */
@Injectable()
export class JwsSigner {
  constructor(private readonly keys: SigningKeys) {}

  async sign(claims: object, typ: string): Promise<string> {
    const key = this.keys.active;
    const header = { alg: key.alg, typ, kid: key.kid };
    const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const signature =
      key.alg === 'HS256'
        ? createHmac('sha256', key.signingKey).update(input).digest()
        : await signOnThreadPool(Buffer.from(input), ASYMMETRIC[key.alg](key.signingKey));
    return `${input}.${signature.toString('base64url')}`;
  }
}
