import { generateKeyPairSync } from 'node:crypto';
import { exportJWK, JWK, SignJWT } from 'jose';
import { DpopKey } from './support/dpop';
import { aUser, credentials, UserInput } from './factories/user.factory';
import { HttpResponse } from './support/http';
import { TestApp, useTestApp, useTwoInstances } from './support/test-app';

/**
 * DPoP (RFC 9449) over HTTP: a login or refresh with a proof binds the session to the client's
 * key; its tokens work only as `Authorization: DPoP` with a fresh proof by that key for that
 * request; every way of presenting one without the key, or a proof for something else, is
 * refused; server nonces when required.
 */
const PROBLEMS = 'https://tessera.dev/problems/';

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<
    string,
    unknown
  >;
}

async function register(t: TestApp): Promise<UserInput> {
  const user = aUser();
  expect((await t.http.post('/auth/register', user)).status).toBe(201);
  return user;
}

async function dpopLogin(t: TestApp, user: UserInput, key: DpopKey): Promise<HttpResponse> {
  return t.http.post('/auth/login', credentials(user), {
    headers: { dpop: await key.proof('POST', '/auth/login') },
  });
}

async function me(t: TestApp, token: string, key: DpopKey, proof?: string) {
  return t.http.get('/auth/me', {
    headers: {
      authorization: `DPoP ${token}`,
      dpop: proof ?? (await key.proof('GET', '/auth/me', { accessToken: token })),
    },
  });
}

function expectDpopRefusal(response: HttpResponse, error: string, reason?: string): void {
  expect(response.status).toBe(401);
  const challenge = response.headers.get('www-authenticate') ?? '';
  expect(challenge).toMatch(new RegExp(`^DPoP error="${error}"`));
  expect(challenge).toContain('algs="ES256 EdDSA RS256 PS256"');
  if (reason) expect(response.body.detail).toBe(reason);
}

const ADMIN = aUser({ email: 'dpop-admin@example.com', username: 'dpop-admin' });

describe('DPoP-bound sessions', () => {
  const app = useTestApp({
    REDIS_URL: undefined,
    BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
  });

  it('binds a login with a proof: token_type DPoP, cnf.jkt, and the token works with a proof', async () => {
    const t = app();
    const key = new DpopKey();
    const login = await dpopLogin(t, await register(t), key);
    expect(login.status).toBe(200);
    expect(login.body.token_type).toBe('DPoP');
    const token = login.body.access_token as string;
    expect(claimsOf(token).cnf).toEqual({ jkt: await key.thumbprint() });
    expect((await me(t, token, key)).status).toBe(200);
    // Served from the verified-token cache the second time: the proof is still required.
    expect((await me(t, token, key)).status).toBe(200);
    const noProof = await t.http.get('/auth/me', { headers: { authorization: `DPoP ${token}` } });
    expectDpopRefusal(noProof, 'invalid_dpop_proof', 'DPoP proof missing');
  });

  it('refuses the bound token presented as a bearer token, with or without a proof', async () => {
    const t = app();
    const key = new DpopKey();
    const token = (await dpopLogin(t, await register(t), key)).body.access_token as string;
    expectDpopRefusal(await t.http.get('/auth/me', { token }), 'invalid_token');
    const withProof = await t.http.get('/auth/me', {
      token,
      headers: { dpop: await key.proof('GET', '/auth/me', { accessToken: token }) },
    });
    expectDpopRefusal(withProof, 'invalid_token', 'DPoP-bound token presented as a bearer token');
  });

  it('refuses a proof for another method, another URL, or without or with a wrong ath', async () => {
    const t = app();
    const key = new DpopKey();
    const token = (await dpopLogin(t, await register(t), key)).body.access_token as string;
    const cases: [string, string][] = [
      [
        await key.proof('POST', '/auth/me', { accessToken: token }),
        'proof htm does not match the method',
      ],
      [
        await key.proof('GET', '/auth/sessions', { accessToken: token }),
        'proof htu does not match the URL',
      ],
      [
        await key.proof('GET', '/auth/me', {
          accessToken: token,
          htu: 'https://evil.example/auth/me',
        }),
        'proof htu does not match the URL',
      ],
      [await key.proof('GET', '/auth/me'), 'proof ath does not match the access token'],
      [
        await key.proof('GET', '/auth/me', { accessToken: `${token}x` }),
        'proof ath does not match the access token',
      ],
    ];
    for (const [proof, reason] of cases) {
      expectDpopRefusal(await me(t, token, key, proof), 'invalid_dpop_proof', reason);
    }
  });

  it('refuses a proof by another key, even a valid one', async () => {
    const t = app();
    const key = new DpopKey();
    const token = (await dpopLogin(t, await register(t), key)).body.access_token as string;
    const thief = new DpopKey();
    const response = await me(t, token, thief);
    expectDpopRefusal(response, 'invalid_dpop_proof', 'proof key is not the token key');
  });

  it('refuses a stale proof, one from the future, and a replayed one', async () => {
    const t = app();
    const key = new DpopKey();
    const token = (await dpopLogin(t, await register(t), key)).body.access_token as string;
    const now = Math.floor(Date.now() / 1000);
    for (const iat of [now - 120, now + 120]) {
      const proof = await key.proof('GET', '/auth/me', { accessToken: token, iat });
      expectDpopRefusal(
        await me(t, token, key, proof),
        'invalid_dpop_proof',
        'proof iat is stale or in the future',
      );
    }
    const proof = await key.proof('GET', '/auth/me', { accessToken: token });
    expect((await me(t, token, key, proof)).status).toBe(200);
    expectDpopRefusal(await me(t, token, key, proof), 'invalid_dpop_proof', 'proof replayed');
  });

  it('refuses proofs signed with none, HMAC or a private key in the header', async () => {
    const t = app();
    const key = new DpopKey();
    const token = (await dpopLogin(t, await register(t), key)).body.access_token as string;
    const good = await key.proof('GET', '/auth/me', { accessToken: token });
    const [header, payload] = good.split('.');
    const decoded = JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    const none = `${Buffer.from(JSON.stringify({ ...decoded, alg: 'none' })).toString('base64url')}.${payload}.`;
    const hmac = await new SignJWT(claimsOf(good))
      .setProtectedHeader({
        alg: 'HS256',
        typ: 'dpop+jwt',
        jwk: { kty: 'oct', k: 'c2VjcmV0' } as JWK,
      })
      .sign(Buffer.from('secret'));
    const privateJwk = await exportJWK(key.privateKey);
    const leaky = await key.proof('GET', '/auth/me', {
      accessToken: token,
      header: { jwk: privateJwk },
    });
    const wrongTyp = await key.proof('GET', '/auth/me', {
      accessToken: token,
      header: { typ: 'JWT' },
    });
    for (const proof of [none, hmac, leaky, wrongTyp, 'not.a.proof']) {
      expectDpopRefusal(await me(t, token, key, proof), 'invalid_dpop_proof');
    }
  });

  it('refuses an unbound token sent with the DPoP scheme', async () => {
    const t = app();
    const key = new DpopKey();
    const user = await register(t);
    const plain = await t.http.post('/auth/login', credentials(user));
    expect(plain.body.token_type).toBe('Bearer');
    const response = await me(t, plain.body.access_token as string, key);
    expectDpopRefusal(response, 'invalid_token', 'token is not DPoP-bound');
  });

  it('rotates a bound refresh token only with a proof by its key; without one nothing changes', async () => {
    const t = app();
    const key = new DpopKey();
    const login = await dpopLogin(t, await register(t), key);
    const refreshToken = login.body.refresh_token as string;
    const refresh = async (dpop?: string) =>
      t.http.post(
        '/auth/refresh',
        { refresh_token: refreshToken },
        dpop ? { headers: { dpop } } : {},
      );
    for (const attempt of [undefined, await new DpopKey().proof('POST', '/auth/refresh')]) {
      const refused = await refresh(attempt);
      expect(refused.status).toBe(400);
      expect(refused.body.type).toBe(`${PROBLEMS}invalid-dpop-proof`);
    }
    // Neither attempt counted as reuse: the session and the token still work.
    expect((await me(t, login.body.access_token as string, key)).status).toBe(200);
    const rotated = await refresh(await key.proof('POST', '/auth/refresh'));
    expect(rotated.status).toBe(200);
    expect(rotated.body.token_type).toBe('DPoP');
    expect(claimsOf(rotated.body.access_token as string).cnf).toEqual({
      jkt: await key.thumbprint(),
    });
    expect((await me(t, rotated.body.access_token as string, key)).status).toBe(200);
  });

  it('binds an unbound session at its first refresh with a proof', async () => {
    const t = app();
    const key = new DpopKey('EdDSA');
    const plain = await t.http.post('/auth/login', credentials(await register(t)));
    const bound = await t.http.post(
      '/auth/refresh',
      { refresh_token: plain.body.refresh_token },
      { headers: { dpop: await key.proof('POST', '/auth/refresh') } },
    );
    expect(bound.status).toBe(200);
    expect(bound.body.token_type).toBe('DPoP');
    const again = await t.http.post('/auth/refresh', { refresh_token: bound.body.refresh_token });
    expect(again.status).toBe(400);
  });

  it('ends a session whose stolen refresh token a thief bound to their key, once its owner refreshes', async () => {
    const t = app();
    const owner = await t.http.post('/auth/login', credentials(await register(t)));
    const stolen = owner.body.refresh_token as string;
    const thief = new DpopKey();
    const bound = await t.http.post(
      '/auth/refresh',
      { refresh_token: stolen },
      { headers: { dpop: await thief.proof('POST', '/auth/refresh') } },
    );
    expect(bound.body.token_type).toBe('DPoP');
    // The owner's token predates the binding: it is reuse, and the session ends for both.
    const ownerRefresh = await t.http.post('/auth/refresh', { refresh_token: stolen });
    expect(ownerRefresh.status).toBe(401);
    expect(ownerRefresh.body.type).toBe(`${PROBLEMS}refresh-token-reused`);
    const thiefAgain = await t.http.post(
      '/auth/refresh',
      { refresh_token: bound.body.refresh_token },
      { headers: { dpop: await thief.proof('POST', '/auth/refresh') } },
    );
    expect(thiefAgain.status).toBe(401);
  });

  it('takes a fractional iat (RFC 7519 NumericDate), and refuses RSA keys with odd exponents', async () => {
    const t = app();
    const user = await register(t);
    const key = new DpopKey();
    const iat = Math.floor(Date.now() / 1000) + 0.1234567;
    const login = await t.http.post('/auth/login', credentials(user), {
      headers: { dpop: await key.proof('POST', '/auth/login', { iat }) },
    });
    expect(login.status).toBe(200);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 + 2 });
    const odd = new DpopKey('RS256', rsa);
    const refused = await t.http.post('/auth/login', credentials(user), {
      headers: { dpop: await odd.proof('POST', '/auth/login') },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toBe('DPoP proof refused: proof jwk is not an acceptable RSA key.');
  });

  it('refuses a token request with a bad or replayed proof (400 invalid-dpop-proof)', async () => {
    const t = app();
    const key = new DpopKey();
    const user = await register(t);
    const proof = await key.proof('POST', '/auth/login');
    expect(
      (await t.http.post('/auth/login', credentials(user), { headers: { dpop: proof } })).status,
    ).toBe(200);
    const replayed = await t.http.post('/auth/login', credentials(user), {
      headers: { dpop: proof },
    });
    expect(replayed.status).toBe(400);
    expect(replayed.body).toMatchObject({
      type: `${PROBLEMS}invalid-dpop-proof`,
      detail: 'DPoP proof refused: proof replayed.',
    });
    const wrongUrl = await t.http.post('/auth/login', credentials(user), {
      headers: { dpop: await key.proof('POST', '/auth/refresh') },
    });
    expect(wrongUrl.status).toBe(400);
  });

  it('introspects a bound token as DPoP with its cnf.jkt', async () => {
    const t = app();
    const key = new DpopKey();
    const token = (await dpopLogin(t, await register(t), key)).body.access_token as string;
    const admin = await t.http.post('/auth/login', credentials(ADMIN));
    const introspected = await t.http.post(
      '/auth/introspect',
      { token },
      { token: admin.body.access_token as string },
    );
    expect(introspected.body).toMatchObject({
      active: true,
      token_type: 'DPoP',
      cnf: { jkt: await key.thumbprint() },
    });
  });

  it('advertises the proof algorithms in the RFC 8414 metadata', async () => {
    const t = app();
    const metadata = await t.http.get('/.well-known/oauth-authorization-server');
    expect(metadata.body.dpop_signing_alg_values_supported).toEqual([
      'ES256',
      'EdDSA',
      'RS256',
      'PS256',
    ]);
  });
});

describe('DPoP on two instances (Redis)', () => {
  const apps = useTwoInstances();

  it('refuses on one instance a proof already used on the other', async () => {
    const [a, b] = apps;
    const key = new DpopKey();
    const token = (await dpopLogin(a, await register(a), key)).body.access_token as string;
    const proof = await key.proof('GET', '/auth/me', { accessToken: token });
    expect((await me(a, token, key, proof)).status).toBe(200);
    expectDpopRefusal(await me(b, token, key, proof), 'invalid_dpop_proof', 'proof replayed');
    expect((await me(b, token, key)).status).toBe(200);
  });
});

const HTU_ISSUER = 'https://auth.example.test';

describe.each([
  ['the in-memory store', false],
  ['two instances on Redis', true],
])('DPoP htu normalisation (RFC 9449 §4.3), issuer %s, on %s', (_, onRedis) => {
  // Login on one instance, the resource on the other (the same one on the memory store).
  const pair = onRedis ? useTwoInstances({ JWT_ISSUER: HTU_ISSUER }) : [];
  const single = onRedis ? undefined : useTestApp({ JWT_ISSUER: HTU_ISSUER, REDIS_URL: undefined });
  const instances = (): [TestApp, TestApp] => (single ? [single(), single()] : [pair[0], pair[1]]);

  async function boundToken(key: DpopKey, htu = `${HTU_ISSUER}/auth/login`) {
    const [a] = instances();
    return a.http.post('/auth/login', credentials(await register(a)), {
      headers: { dpop: await key.proof('POST', '/auth/login', { htu }) },
    });
  }

  const meWith = async (token: string, key: DpopKey, htu: string) => {
    const [, b] = instances();
    return me(b, token, key, await key.proof('GET', '/auth/me', { accessToken: token, htu }));
  };

  it.each([
    ['scheme and host in another case', 'HTTPS://Auth.EXAMPLE.test/auth/me'],
    ['the default port written out', 'https://auth.example.test:443/auth/me'],
    ['a query and a fragment (not compared)', 'https://auth.example.test/auth/me?x=1#top'],
    ['percent-encoded unreserved characters', 'https://auth.example.test/auth/%6D%65'],
    ['a dot segment', 'https://auth.example.test/auth/./me'],
  ])('accepts an htu with %s', async (_case, htu) => {
    const key = new DpopKey();
    const token = (await boundToken(key)).body.access_token as string;
    expect((await meWith(token, key, htu)).status).toBe(200);
  });

  it.each([
    ['user and password', 'https://user:secret@auth.example.test/auth/me'],
    ['a user', 'https://user@auth.example.test/auth/me'],
    ['an empty userinfo', 'https://@auth.example.test/auth/me'],
    ['another host as userinfo', 'https://evil.example@auth.example.test/auth/me'],
  ])('refuses an htu with userinfo: %s', async (_case, htu) => {
    const key = new DpopKey();
    const token = (await boundToken(key)).body.access_token as string;
    const refused = await meWith(token, key, htu);
    expectDpopRefusal(refused, 'invalid_dpop_proof', 'proof htu does not match the URL');
    expect(JSON.stringify(refused.body)).not.toContain('secret');
  });

  it.each([
    ['another scheme', 'http://auth.example.test/auth/me'],
    ['another port', 'https://auth.example.test:8443/auth/me'],
    ['another host', 'https://auth.example.test.evil.example/auth/me'],
    ['the path in another case', 'https://auth.example.test/auth/ME'],
    ['an encoded slash', 'https://auth.example.test/auth%2Fme'],
  ])('refuses an htu with %s', async (_case, htu) => {
    const key = new DpopKey();
    const token = (await boundToken(key)).body.access_token as string;
    expectDpopRefusal(
      await meWith(token, key, htu),
      'invalid_dpop_proof',
      'proof htu does not match the URL',
    );
  });

  it('refuses a token request whose proof names the URL with userinfo (400)', async () => {
    const login = await boundToken(new DpopKey(), 'https://user:pw@auth.example.test/auth/login');
    expect(login.status).toBe(400);
    expect(login.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(login.body.type).toBe(`${PROBLEMS}invalid-dpop-proof`);
    const normal = await boundToken(new DpopKey(), 'HTTPS://AUTH.example.test:443/auth/login?a#b');
    expect(normal.status).toBe(200);
    expect(normal.body.token_type).toBe('DPoP');
  });
});

describe('DPOP_NONCE_REQUIRED=true', () => {
  const app = useTestApp({ DPOP_NONCE_REQUIRED: 'true' });

  it('asks for the server nonce at login and at a resource, and takes it', async () => {
    const t = app();
    const key = new DpopKey();
    const user = await register(t);
    const first = await dpopLogin(t, user, key);
    expect(first.status).toBe(400);
    expect(first.body.type).toBe(`${PROBLEMS}use-dpop-nonce`);
    const nonce = first.headers.get('dpop-nonce') ?? '';
    expect(nonce.length).toBeGreaterThan(20);
    const login = await t.http.post('/auth/login', credentials(user), {
      headers: { dpop: await key.proof('POST', '/auth/login', { nonce }) },
    });
    expect(login.status).toBe(200);
    const next = login.headers.get('dpop-nonce') ?? '';
    expect(next.length).toBeGreaterThan(20);
    const token = login.body.access_token as string;
    const without = await me(t, token, key);
    expectDpopRefusal(without, 'use_dpop_nonce');
    expect(without.headers.get('dpop-nonce')).toBeTruthy();
    const forged = await key.proof('GET', '/auth/me', { accessToken: token, nonce: `${next}x` });
    expectDpopRefusal(await me(t, token, key, forged), 'use_dpop_nonce');
    const withNonce = await key.proof('GET', '/auth/me', { accessToken: token, nonce: next });
    expect((await me(t, token, key, withNonce)).status).toBe(200);
  });
});

describe('DPoP with a refresh grace window (REFRESH_REUSE_GRACE_SECONDS=10)', () => {
  const app = useTestApp({ REFRESH_REUSE_GRACE_SECONDS: '10' });

  it('gives concurrent refreshes proved by the session key one pair; another key changes nothing', async () => {
    const t = app();
    const key = new DpopKey();
    const login = await dpopLogin(t, await register(t), key);
    const refreshToken = login.body.refresh_token as string;
    const answers = await Promise.all(
      Array.from({ length: 10 }, async () =>
        t.http.post(
          '/auth/refresh',
          { refresh_token: refreshToken },
          { headers: { dpop: await key.proof('POST', '/auth/refresh') } },
        ),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(new Set(answers.map((a) => a.body.refresh_token as string)).size).toBe(1);
    expect(answers[0].body.token_type).toBe('DPoP');
    const thief = await t.http.post(
      '/auth/refresh',
      { refresh_token: refreshToken },
      { headers: { dpop: await new DpopKey().proof('POST', '/auth/refresh') } },
    );
    expect(thief.status).toBe(400);
    const token = answers[0].body.access_token as string;
    expect((await me(t, token, key)).status).toBe(200);
  });
});
