import jsonwebtoken from 'jsonwebtoken';
import { aUser, credentials } from './factories/user.factory';
import { expectInvalidToken } from './support/expectations';
import { TestApp, useTwoInstances } from './support/test-app';

/**
 * The verified-token cache on two instances of one deployment: a cached token skips the
 * signature check, never the session and revocation check, and nothing but the exact string hits.
 */
describe('verified-token cache, on two instances', () => {
  const apps = useTwoInstances();
  let a: TestApp;
  let b: TestApp;
  beforeAll(() => ([a, b] = apps));

  /** A signed-in user's tokens, each already used (and so cached) on both instances. */
  async function cachedEverywhere() {
    const user = aUser();
    expect((await a.http.post('/auth/register', user)).status).toBe(201);
    const tokens = (await a.http.post('/auth/login', credentials(user))).body;
    for (const app of [a, b]) {
      expect((await app.http.get('/auth/me', { token: tokens.access_token })).status).toBe(200);
    }
    return tokens as { access_token: string; refresh_token: string };
  }

  it('verifies a token once, then serves it again without a signature check', async () => {
    const { access_token: token } = await cachedEverywhere();
    const verify = jest.spyOn(jsonwebtoken, 'verify');
    try {
      for (let i = 0; i < 5; i++) {
        expect((await b.http.get('/auth/me', { token })).status).toBe(200);
      }
      expect(verify).not.toHaveBeenCalled();
    } finally {
      verify.mockRestore();
    }
  });

  it('refuses a cached token on both instances on the next request after logout', async () => {
    const { access_token: token } = await cachedEverywhere();
    expect((await a.http.post('/auth/logout', undefined, { token })).status).toBe(204);
    expectInvalidToken(await b.http.get('/auth/me', { token }));
    expectInvalidToken(await a.http.get('/auth/me', { token }));
  });

  it('refuses a cached token revoked on the other instance (RFC 7009)', async () => {
    const { access_token: token } = await cachedEverywhere();
    expect((await a.http.post('/auth/revoke', { token })).status).toBe(200);
    expectInvalidToken(await b.http.get('/auth/me', { token }));
  });

  it('verifies from scratch, and refuses, a token one byte away from a cached one', async () => {
    const { access_token: token } = await cachedEverywhere();
    const [header, payload, signature] = token.split('.');
    const flip = (s: string, i: number) =>
      s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const forged = [
      `${header}.${payload}.${flip(signature, 10)}`,
      `${header}.${flip(payload, 20)}.${signature}`,
      `${flip(header, 5)}.${payload}.${signature}`,
    ];
    for (const variant of forged) {
      expectInvalidToken(await b.http.get('/auth/me', { token: variant }));
    }
    expect((await b.http.get('/auth/me', { token })).status).toBe(200);
  });

  it('serves a cached token only in a well-formed Authorization header', async () => {
    const { access_token: token } = await cachedEverywhere();
    const as = (authorization: string) => b.http.get('/auth/me', { headers: { authorization } });
    // The scheme is case-insensitive (RFC 9110 §11.1): still the cached token.
    expect((await as(`bearer ${token}`)).status).toBe(200);
    for (const malformed of [
      `Bearer  ${token}`,
      `Bearer ${token},x`,
      `Bearer ${token} x`,
      `Token ${token}`,
      `Bearer:${token}`,
      `${token}`,
    ]) {
      expectInvalidToken(await as(malformed));
    }
  });
});
