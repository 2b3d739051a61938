import { createHash, generateKeyPairSync, KeyObject, randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, JWK, SignJWT } from 'jose';

/** JWT_ISSUER of the test environment: a proof's htu is built on it. */
export const DPOP_HTU_BASE = 'http://localhost:3000';
const ISSUER = DPOP_HTU_BASE;

/** A DPoP client: its key pair, and proofs for requests. */
export class DpopKey {
  readonly privateKey: KeyObject;
  readonly publicJwk: Promise<JWK>;

  constructor(
    readonly alg: 'ES256' | 'RS256' | 'EdDSA' = 'ES256',
    pair = alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: 2048 }),
  ) {
    this.privateKey = pair.privateKey;
    this.publicJwk = exportJWK(pair.publicKey);
  }

  async thumbprint(): Promise<string> {
    return calculateJwkThumbprint(await this.publicJwk, 'sha256');
  }

  async proof(
    method: string,
    path: string,
    options: {
      accessToken?: string;
      nonce?: string;
      iat?: number;
      jti?: string;
      htu?: string;
      header?: Record<string, unknown>;
    } = {},
  ): Promise<string> {
    const claims: Record<string, unknown> = {
      jti: options.jti ?? randomBytes(12).toString('base64url'),
      htm: method,
      htu: options.htu ?? `${ISSUER}${path}`,
      iat: options.iat ?? Math.floor(Date.now() / 1000),
    };
    if (options.accessToken) {
      claims.ath = createHash('sha256').update(options.accessToken).digest('base64url');
    }
    if (options.nonce) claims.nonce = options.nonce;
    return new SignJWT(claims)
      .setProtectedHeader({
        alg: this.alg,
        typ: 'dpop+jwt',
        jwk: await this.publicJwk,
        ...options.header,
      })
      .sign(this.privateKey);
  }
}
