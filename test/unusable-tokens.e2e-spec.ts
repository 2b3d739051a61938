import { randomBytes } from 'node:crypto';
import { aUser, credentials } from './factories/user.factory';
import { expectProblem } from './support/expectations';
import { HttpResponse } from './support/http';
import { useTestApp } from './support/test-app';

/*
 * A token the service cannot use is a 401 at refresh, and a 200 at revoke (RFC 7009 §2.2) and
 * introspect (RFC 7662 §2.2: inactive), whatever its shape or length. Only a body past the size
 * limit is refused for its size (413).
 */

const ADMIN = { email: 'tokens-admin@example.com', password: 'admin-password-for-tokens' };
const BODY_LIMIT = 64 * 1024;

const app = useTestApp({
  BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
  BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
});

let accessToken: string;
let adminToken: string;
beforeAll(async () => {
  const { http } = app();
  const user = aUser();
  expect((await http.post('/auth/register', user)).status).toBe(201);
  accessToken = (await http.post('/auth/login', credentials(user))).body.access_token;
  const admin = await http.post('/auth/login', { username: ADMIN.email, password: ADMIN.password });
  adminToken = admin.body.access_token;
});

/** Tokens that are not a usable refresh token, each of a size well inside the body limit. */
const UNUSABLE: [string, () => string][] = [
  ['an access token', () => accessToken],
  ['600 characters of garbage', () => randomBytes(450).toString('base64url')],
  ['10 000 characters', () => 'x'.repeat(10_000)],
  ['60 000 characters', () => 'x'.repeat(60_000)],
  ['a NUL in the middle', () => 'ab\u0000cd'],
];

describe('refresh', () => {
  const refresh = (token: string) => app().http.post('/auth/refresh', { refresh_token: token });

  function expectInvalidRefreshToken(response: HttpResponse): void {
    expectProblem(response, 401);
    expect(response.body.type).toBe('https://tessera.dev/problems/invalid-refresh-token');
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
  }

  it.each(UNUSABLE)('answers %s with the 401 of any bad refresh token', async (_, token) => {
    const reference = await refresh('not-a-refresh-token');
    expectInvalidRefreshToken(reference);
    const response = await refresh(token());
    expectInvalidRefreshToken(response);
    expect(response.body).toEqual(reference.body);
  });

  it('refuses a body past the size limit for its size: 413', async () => {
    expectProblem(await refresh('x'.repeat(BODY_LIMIT)), 413);
  });
});

describe('revoke and introspect', () => {
  it.each(UNUSABLE.slice(1))('revoke answers %s with 200 (RFC 7009 §2.2)', async (_, token) => {
    const response = await app().http.post('/auth/revoke', { token: token() });
    expect(response.status).toBe(200);
  });

  it.each(UNUSABLE.slice(1))('introspect answers %s as inactive', async (_, token) => {
    const response = await app().http.post(
      '/auth/introspect',
      { token: token() },
      { token: adminToken },
    );
    expect({ status: response.status, body: response.body }).toEqual({
      status: 200,
      body: { active: false },
    });
  });
});
