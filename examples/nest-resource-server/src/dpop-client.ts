/**
 * How a client uses DPoP (RFC 9449) with Tessera, with nothing but node:crypto: one key pair for
 * the client's life, a fresh proof for every request, and `Authorization: DPoP <token>`.
 *
 *   TESSERA_URL=http://localhost:3000 TESSERA_ISSUER=http://localhost:3000 \
 *     USERNAME=ada_lovelace PASSWORD='correct horse battery staple' node dist/dpop-client.js
 *
 * A stolen DPoP token is worth nothing without this process's private key: Tessera refuses it as
 * a bearer token, and every proof names one request (method, URL, the token's hash) once.
 */
import { createHash, generateKeyPairSync, KeyObject, randomUUID, sign } from 'node:crypto';

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** The client's key: an ES256 pair kept in memory (a browser would use a non-extractable key). */
export class DpopKey {
  private readonly privateKey: KeyObject;
  private readonly jwk: Record<string, unknown>;
  /** The last server nonce seen (`DPoP-Nonce`), sent in the next proofs. */
  nonce: string | undefined;

  constructor() {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = pair.privateKey;
    const { kty, crv, x, y } = pair.publicKey.export({ format: 'jwk' });
    this.jwk = { kty, crv, x, y };
  }

  /**
   * A proof for one request: `htu` is the URL without query or fragment, as the server is
   * known to the client (Tessera compares it with its JWT_ISSUER); `ath` binds it to the token.
   */
  proof(method: string, url: string, accessToken?: string): string {
    const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: this.jwk };
    const htu = new URL(url);
    htu.search = '';
    htu.hash = '';
    const claims = {
      jti: randomUUID(),
      htm: method,
      htu: htu.toString(),
      iat: Math.floor(Date.now() / 1000),
      ...(accessToken ? { ath: b64url(createHash('sha256').update(accessToken).digest()) } : {}),
      ...(this.nonce ? { nonce: this.nonce } : {}),
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    // JWS ES256 signatures are r||s (64 bytes), not DER.
    const signature = sign('sha256', Buffer.from(input), {
      key: this.privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    return `${input}.${b64url(signature)}`;
  }
}

/**
 * Sends a request with a proof; on `use_dpop_nonce` (400 at a token request, 401 at a resource)
 * it takes the server's nonce and tries once more, as RFC 9449 §8 and §9 describe.
 */
export async function dpopFetch(
  key: DpopKey,
  publicUrl: string,
  reachUrl: string,
  init: { method: string; accessToken?: string; body?: unknown },
): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const headers: Record<string, string> = {
      dpop: key.proof(init.method, publicUrl, init.accessToken),
    };
    if (init.accessToken) headers.authorization = `DPoP ${init.accessToken}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(reachUrl, {
      method: init.method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const nonce = response.headers.get('dpop-nonce');
    if (nonce) key.nonce = nonce;
    const challenge = response.headers.get('www-authenticate') ?? '';
    const text = response.status === 400 ? await response.clone().text() : '';
    const wantsNonce = challenge.includes('use_dpop_nonce') || text.includes('use-dpop-nonce');
    if (!wantsNonce || !nonce || attempt > 0) return response;
  }
}

async function main(): Promise<void> {
  const reach = (process.env.TESSERA_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
  const issuer = (process.env.TESSERA_ISSUER ?? reach).replace(/\/+$/, '');
  const key = new DpopKey();
  const login = await dpopFetch(key, `${issuer}/auth/login`, `${reach}/auth/login`, {
    method: 'POST',
    body: { username: process.env.USERNAME, password: process.env.PASSWORD },
  });
  const tokens = (await login.json()) as { access_token?: string; token_type?: string };
  if (!login.ok || !tokens.access_token) throw new Error(`login failed: ${login.status}`);
  const me = await dpopFetch(key, `${issuer}/auth/me`, `${reach}/auth/me`, {
    method: 'GET',
    accessToken: tokens.access_token,
  });
  const asBearer = await fetch(`${reach}/auth/me`, {
    headers: { authorization: `Bearer ${tokens.access_token}` },
  });
  console.log(
    JSON.stringify({
      token_type: tokens.token_type,
      me: me.status,
      sameTokenAsBearer: asBearer.status,
    }),
  );
}

if (process.argv[1]?.endsWith('dpop-client.js')) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
