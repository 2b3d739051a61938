import { aUser } from './factories/user.factory';
import { expectInvalidToken, expectProblem } from './support/expectations';
import { TestApp, useTwoInstances } from './support/test-app';

const ADMIN = { email: 'ops@example.com', password: 'ops-password-for-tests-only' };

/** Two stateless instances on one Redis: what one revokes, the other refuses on the next request. */
describe('revocation across two instances', () => {
  const apps = useTwoInstances({
    BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
  });
  let a: TestApp;
  let b: TestApp;
  beforeAll(() => ([a, b] = apps));

  async function session() {
    const user = aUser();
    expect((await a.http.post('/auth/register', user)).status).toBe(201);
    const tokens = (
      await a.http.post('/auth/login', { username: user.username, password: user.password })
    ).body;
    expect((await b.http.get('/auth/me', { token: tokens.access_token })).status).toBe(200);
    return { user, tokens };
  }

  it('refuses on B a token logged out on A', async () => {
    const { tokens } = await session();
    expect(
      (await a.http.post('/auth/logout', undefined, { token: tokens.access_token })).status,
    ).toBe(204);
    expectInvalidToken(await b.http.get('/auth/me', { token: tokens.access_token }));
    expectProblem(await b.http.post('/auth/refresh', { refresh_token: tokens.refresh_token }), 401);
  });

  it('refuses on B an access token revoked on A (RFC 7009)', async () => {
    const { tokens } = await session();
    expect((await a.http.post('/auth/revoke', { token: tokens.access_token })).status).toBe(200);
    expectInvalidToken(await b.http.get('/auth/me', { token: tokens.access_token }));
  });

  it('detects on B the reuse of a refresh token rotated on A, and A then refuses the session', async () => {
    const { tokens } = await session();
    const rotated = (await a.http.post('/auth/refresh', { refresh_token: tokens.refresh_token }))
      .body;
    expectProblem(await b.http.post('/auth/refresh', { refresh_token: tokens.refresh_token }), 401);
    expectInvalidToken(await a.http.get('/auth/me', { token: rotated.access_token }));
  });

  it('refuses on B the tokens of a user deactivated on A', async () => {
    const { tokens } = await session();
    const adminToken = (
      await a.http.post('/auth/login', { username: ADMIN.email, password: ADMIN.password })
    ).body.access_token;
    const me = (await b.http.get('/auth/me', { token: tokens.access_token })).body;
    expect(
      (await a.http.patch(`/users/${me.id}`, { active: false }, { token: adminToken })).status,
    ).toBe(200);
    expectInvalidToken(await b.http.get('/auth/me', { token: tokens.access_token }));
  });

  it('lets B refresh a session started on A, once', async () => {
    const { tokens } = await session();
    const refreshed = await b.http.post('/auth/refresh', { refresh_token: tokens.refresh_token });
    expect(refreshed.status).toBe(200);
    expect((await a.http.get('/auth/me', { token: refreshed.body.access_token })).status).toBe(200);
  });
});
