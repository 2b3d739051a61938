import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  KeyObject,
  randomBytes,
  sign,
} from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';

/*
 * Hand-made JWS for attack tests, with node:crypto only: no JWT library that might "fix" a
 * malformed token on the way out.
 */

export type Json = Record<string, unknown>;
export type CraftAlg = 'RS256' | 'ES256' | 'HS256';

export const b64url = (value: Buffer | string) => Buffer.from(value).toString('base64url');

/** `header.payload`: the JWS signing input. A member set to undefined is left out. */
export function signingInput(header: Json, claims: Json): string {
  return `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
}

/** A JWS signature as a token carries it: ECDSA in JOSE r‖s form, HMAC over any key bytes. */
export function joseSign(alg: CraftAlg, key: KeyObject | Buffer | string, input: string): Buffer {
  switch (alg) {
    case 'RS256':
      return sign('sha256', Buffer.from(input), key);
    case 'ES256':
      return sign('sha256', Buffer.from(input), {
        key: key as KeyObject,
        dsaEncoding: 'ieee-p1363',
      });
    case 'HS256':
      return createHmac('sha256', key).update(input).digest();
  }
}

/** The service's own signing key, read from its keys dir exactly as the service stores it. */
export interface OurKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/**
 * The private key that signed `accessToken`, read from the service's keys dir as the service
 * keeps it: keyring.json lists the kid, `<kid>.pem` holds the key.
 */
export async function readSigningKey(keysDir: string, accessToken: string): Promise<OurKey> {
  const { kid, alg } = decodeParts(accessToken).header as { kid: string; alg: OurKey['alg'] };
  const keyring = JSON.parse(await readFile(join(keysDir, 'keyring.json'), 'utf8')) as {
    keys: { kid: string }[];
  };
  if (!keyring.keys.some((k) => k.kid === kid)) throw new Error('keyring.json lacks the kid');
  const privateKey = createPrivateKey(await readFile(join(keysDir, `${kid}.pem`), 'utf8'));
  return { kid, alg, privateKey, publicKey: createPublicKey(privateKey) };
}

/** Header and claims of a token, decoded without any verification. */
export function decodeParts(token: string): { header: Json; claims: Json } {
  const [header, claims] = token.split('.').map((part) => Buffer.from(part, 'base64url'));
  return { header: JSON.parse(header.toString()) as Json, claims: JSON.parse(claims.toString()) };
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Changes to the baseline header and claims; a member set to undefined is removed. */
export interface Changes {
  header?: Json;
  claims?: Json;
}

/**
 * Forges tokens that are right in every respect (our key, our kid, real sub/sid, fresh times)
 * except the ones a test changes: so each rejection is due to that change alone.
 */
export class Forger {
  constructor(
    readonly key: OurKey,
    private readonly baseHeader: Json,
    private readonly baseClaims: Json,
  ) {}

  /** From a real access token of a real session: sub, sid, roles and scope are genuine. */
  static fromAccessToken(key: OurKey, accessToken: string): Forger {
    const { header, claims } = decodeParts(accessToken);
    return new Forger(key, header, claims);
  }

  header(changes: Json = {}): Json {
    return { ...this.baseHeader, ...changes };
  }

  claims(changes: Json = {}): Json {
    const now = nowSeconds();
    const fresh = { iat: now, nbf: now, exp: now + 300, jti: b64url(randomBytes(16)) };
    return { ...this.baseClaims, ...fresh, ...changes };
  }

  input(changes: Changes = {}): string {
    return signingInput(this.header(changes.header), this.claims(changes.claims));
  }

  /** A token signed with our real private key. */
  token(changes: Changes = {}): string {
    const input = this.input(changes);
    return `${input}.${b64url(joseSign(this.key.alg, this.key.privateKey, input))}`;
  }

  /** A token signed with any key and algorithm the attacker likes. */
  signedWith(alg: CraftAlg, key: KeyObject | Buffer | string, changes: Changes = {}): string {
    const input = this.input(changes);
    return `${input}.${b64url(joseSign(alg, key, input))}`;
  }
}

/** An attacker's own key pair of the same kind as ours, with its public JWK. */
export function attackerKey(alg: OurKey['alg']) {
  const pair =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...pair, jwk: { ...pair.publicKey.export({ format: 'jwk' }), kid: 'attacker', alg } };
}

/**
 * A listener on 127.0.0.1 that serves the attacker's JWKS to anyone who asks and records every
 * request: a verifier that follows `jku`/`x5u` would find a key there, so `hits` staying empty is
 * what proves it never fetched.
 */
export async function tripwire(jwks: Json): Promise<{
  url: string;
  hits: string[];
  close(): Promise<void>;
}> {
  const hits: string[] = [];
  const server = createServer((request, response) => {
    hits.push(`${request.method} ${request.url}`);
    response.setHeader('content-type', 'application/json').end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Flips one bit of the signature of `token`. */
export function tamperSignature(token: string): string {
  const [header, payload, signature] = token.split('.');
  const bytes = Buffer.from(signature, 'base64url');
  // The last byte: for ES256 that keeps s in range, so the signature check itself must catch it.
  bytes[bytes.length - 1] ^= 0x01;
  return `${header}.${payload}.${b64url(bytes)}`;
}

/** Keeps the signature of `token` but puts another payload under it. */
export function swapPayload(token: string, input: string): string {
  return `${input}.${token.split('.')[2]}`;
}
