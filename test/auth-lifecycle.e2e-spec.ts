import { aUser } from './factories/user.factory';
import { Http } from './support/http';
import { expectInvalidToken, expectProblem } from './support/expectations';
import { cleanUp, startApp, testEnvironment, TestApp } from './support/test-app';

const ADMIN = { email: 'root@example.com', password: 'admin-password-for-tests-only' };

describe.each(['redis', 'memory'] as const)('token lifecycle on the %s store', (driver) => {
  let t: TestApp;
  let http: Http;

  beforeAll(async () => {
    t = await startApp(
      testEnvironment({
        ...(driver === 'memory' ? { REDIS_URL: '' } : {}),
        BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
        BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      }),
    );
    http = t.http;
  });

  afterAll(async () => {
    await t.close();
    await cleanUp(t.env);
  });

  async function registerAndLogin(scope?: string) {
    const user = aUser();
    expect((await http.post('/auth/register', user)).status).toBe(201);
    const login = await http.post('/auth/login', {
      username: user.username,
      password: user.password,
      scope,
    });
    expect(login.status).toBe(200);
    return { user, tokens: login.body };
  }

  it('runs register → login → me → refresh → logout', async () => {
    const user = aUser();
    const registered = await http.post('/auth/register', user);
    expect(registered.status).toBe(201);
    expect(registered.body).toEqual({
      id: expect.any(String),
      email: user.email,
      username: user.username,
      roles: ['user'],
      scopes: [],
      active: true,
      emailVerified: false,
      createdAt: expect.any(String),
    });

    const login = await http.post('/auth/login', {
      username: user.email.toUpperCase(),
      password: user.password,
    });
    expect(login.status).toBe(200);
    expect(login.headers.get('cache-control')).toBe('no-store');
    expect(login.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 900,
      refresh_token: expect.any(String),
      refresh_expires_in: expect.any(Number),
      scope: 'profile',
      session_id: expect.any(String),
    });
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^__Secure-refresh_token=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/auth/);

    const me = await http.get('/auth/me', { token: login.body.access_token });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      id: registered.body.id,
      email: user.email,
      username: user.username,
      roles: ['user'],
      scopes: ['profile'],
      sessionId: login.body.session_id,
    });

    const refreshed = await http.post('/auth/refresh', { refresh_token: login.body.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.session_id).toBe(login.body.session_id);
    expect(refreshed.body.refresh_token).not.toBe(login.body.refresh_token);

    const logout = await http.post('/auth/logout', undefined, {
      token: refreshed.body.access_token,
    });
    expect(logout.status).toBe(204);
    expect(logout.headers.get('set-cookie')).toMatch(/__Secure-refresh_token=;/);
    expectInvalidToken(await http.get('/auth/me', { token: refreshed.body.access_token }));
    expectProblem(
      await http.post('/auth/refresh', { refresh_token: refreshed.body.refresh_token }),
      401,
    );
  });

  it('retires a refresh token once it has been rotated', async () => {
    const { tokens } = await registerAndLogin();
    const first = await http.post('/auth/refresh', { refresh_token: tokens.refresh_token });
    expect(first.status).toBe(200);
    const again = await http.post('/auth/refresh', { refresh_token: tokens.refresh_token });
    expectProblem(again, 401);
  });

  it('revokes the whole session when a rotated refresh token comes back', async () => {
    const { tokens } = await registerAndLogin();
    const rotated = await http.post('/auth/refresh', { refresh_token: tokens.refresh_token });
    expect((await http.get('/auth/me', { token: rotated.body.access_token })).status).toBe(200);

    const reuse = await http.post('/auth/refresh', { refresh_token: tokens.refresh_token });
    expectProblem(reuse, 401);
    expect(reuse.body.detail).toMatch(/revoked/);

    expectProblem(
      await http.post('/auth/refresh', { refresh_token: rotated.body.refresh_token }),
      401,
    );
    expectInvalidToken(await http.get('/auth/me', { token: rotated.body.access_token }));
    expectInvalidToken(await http.get('/auth/me', { token: tokens.access_token }));
  });

  it('lets exactly one of 20 concurrent refreshes of one token succeed', async () => {
    const { tokens } = await registerAndLogin();
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        http.post('/auth/refresh', { refresh_token: tokens.refresh_token }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 401)).toHaveLength(19);
  });

  it('takes the cookie instead of a body on a JSON request, never on a simple one', async () => {
    const { tokens } = await registerAndLogin();
    const cookie = `__Secure-refresh_token=${tokens.refresh_token}`;
    // A bodiless POST carrying only the cookie is what a cross-site form can send: refused by the
    // cookie rule itself (the media-type rule lets a request without a body through).
    const simple = await http.post('/auth/refresh', undefined, { headers: { cookie } });
    expectProblem(simple, 403);
    expect(simple.body.type).toMatch(/cross-site-request$/);
    const withHeader = await http.post('/auth/refresh', undefined, {
      headers: { cookie, 'x-requested-with': 'XMLHttpRequest' },
    });
    expect(withHeader.status).toBe(200);
    const rotated = `__Secure-refresh_token=${withHeader.body.refresh_token}`;
    const json = await http.post('/auth/refresh', {}, { headers: { cookie: rotated } });
    expect(json.status).toBe(200);
  });

  it('ends the session on logout for the very next request', async () => {
    const { tokens } = await registerAndLogin();
    expect((await http.get('/auth/me', { token: tokens.access_token })).status).toBe(200);
    expect(
      (await http.post('/auth/logout', undefined, { token: tokens.access_token })).status,
    ).toBe(204);
    expectInvalidToken(await http.get('/auth/me', { token: tokens.access_token }));
  });

  it('ends every session of the user on logout-all', async () => {
    const { user, tokens } = await registerAndLogin();
    const second = await http.post('/auth/login', {
      username: user.username,
      password: user.password,
    });
    expect(
      (await http.post('/auth/logout-all', undefined, { token: tokens.access_token })).status,
    ).toBe(204);
    expectInvalidToken(await http.get('/auth/me', { token: tokens.access_token }));
    expectInvalidToken(await http.get('/auth/me', { token: second.body.access_token }));
    expectProblem(
      await http.post('/auth/refresh', { refresh_token: second.body.refresh_token }),
      401,
    );
  });

  it("lists a user's sessions and answers 404 for another user's session", async () => {
    const { user, tokens } = await registerAndLogin();
    const second = await http.post(
      '/auth/login',
      { username: user.username, password: user.password },
      {
        headers: { 'user-agent': 'tessera-test-phone' },
      },
    );
    const list = await http.get('/auth/sessions', { token: tokens.access_token });
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(2);
    expect(list.body.find((s: { current: boolean }) => s.current).id).toBe(tokens.session_id);
    expect(list.body.find((s: { id: string }) => s.id === second.body.session_id)).toEqual(
      expect.objectContaining({ current: false, userAgent: 'tessera-test-phone', ip: '127.0.0.1' }),
    );

    const other = await registerAndLogin();
    expectProblem(
      await http.delete(`/auth/sessions/${other.tokens.session_id}`, {
        token: tokens.access_token,
      }),
      404,
    );
    expect((await http.get('/auth/me', { token: other.tokens.access_token })).status).toBe(200);

    expect(
      (
        await http.delete(`/auth/sessions/${second.body.session_id}`, {
          token: tokens.access_token,
        })
      ).status,
    ).toBe(204);
    expectInvalidToken(await http.get('/auth/me', { token: second.body.access_token }));
  });

  it('keeps the current session and ends the others on password change', async () => {
    const { user, tokens } = await registerAndLogin();
    const other = await http.post('/auth/login', {
      username: user.username,
      password: user.password,
    });
    const newPassword = `${user.password}-changed`;

    expectProblem(
      await http.post(
        '/auth/password',
        { currentPassword: 'wrong-password-here', newPassword },
        { token: tokens.access_token },
      ),
      401,
    );
    expectProblem(
      await http.post(
        '/auth/password',
        { currentPassword: user.password, newPassword: 'short' },
        { token: tokens.access_token },
      ),
      400,
    );

    const changed = await http.post(
      '/auth/password',
      { currentPassword: user.password, newPassword },
      { token: tokens.access_token },
    );
    expect(changed.status).toBe(204);
    expect((await http.get('/auth/me', { token: tokens.access_token })).status).toBe(200);
    expectInvalidToken(await http.get('/auth/me', { token: other.body.access_token }));
    expectProblem(
      await http.post('/auth/login', { username: user.username, password: user.password }),
      401,
    );
    expect(
      (await http.post('/auth/login', { username: user.username, password: newPassword })).status,
    ).toBe(200);
  });

  it('guards routes by scope, never by role alone (403 vs 200)', async () => {
    const { user, tokens } = await registerAndLogin();
    expectProblem(await http.get('/users', { token: tokens.access_token }), 403);

    const admin = await http.post('/auth/login', {
      username: ADMIN.email,
      password: ADMIN.password,
    });
    expect(admin.status).toBe(200);
    expect((await http.get('/users', { token: admin.body.access_token })).status).toBe(200);

    // An admin who asked for a narrower scope holds only that: the role is no way around it.
    const narrow = await http.post('/auth/login', {
      username: ADMIN.email,
      password: ADMIN.password,
      scope: 'profile',
    });
    expect(narrow.body.scope).toBe('profile');
    expectProblem(await http.get('/users', { token: narrow.body.access_token }), 403);

    const me = await http.get('/auth/me', { token: tokens.access_token });
    const granted = await http.patch(
      `/users/${me.body.id}`,
      { scopes: ['users:read'] },
      { token: admin.body.access_token },
    );
    expect(granted.status).toBe(200);
    // Changing a user's rights ends their sessions: the old token is gone.
    expectInvalidToken(await http.get('/users', { token: tokens.access_token }));

    const reader = await http.post('/auth/login', {
      username: user.username,
      password: user.password,
    });
    expect(reader.body.scope.split(' ').sort()).toEqual(['profile', 'users:read']);
    expect((await http.get('/users', { token: reader.body.access_token })).status).toBe(200);
    expectProblem(await http.post('/users', aUser(), { token: reader.body.access_token }), 403);
  });

  it('refuses a refresh token presented as a bearer token', async () => {
    const { tokens } = await registerAndLogin();
    expectInvalidToken(await http.get('/auth/me', { token: tokens.refresh_token }));
  });

  it('answers 401 with WWW-Authenticate: Bearer and no error without a token', async () => {
    const response = await http.get('/auth/me');
    expectProblem(response, 401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('answers the same 401 for an unknown user, a wrong password and a deactivated user', async () => {
    const { user } = await registerAndLogin();
    const unknown = await http.post('/auth/login', {
      username: 'nobody-here',
      password: user.password,
    });
    const wrong = await http.post('/auth/login', {
      username: user.username,
      password: `${user.password}x`,
    });
    expectProblem(unknown, 401);
    expect(wrong.body).toEqual(unknown.body);
    expect([unknown, wrong].map((r) => r.headers.get('www-authenticate'))).toEqual([
      'Bearer',
      'Bearer',
    ]);
  });

  it('answers problem+json for a taken email or username and for a weak password', async () => {
    const { user } = await registerAndLogin();
    expectProblem(
      await http.post('/auth/register', aUser({ email: user.email.toUpperCase() })),
      409,
    );
    expectProblem(await http.post('/auth/register', aUser({ username: user.username })), 409);
    const weak = await http.post('/auth/register', aUser({ password: 'password1234' }));
    expectProblem(weak, 400);
    expect(weak.body.errors).toEqual([{ field: 'password', message: 'password is too common' }]);
    const invalid = await http.post('/auth/register', {
      email: 'not-an-email',
      username: 'x',
      password: 1,
    });
    expectProblem(invalid, 400);
    expect([...new Set(invalid.body.errors.map((e: { field: string }) => e.field))].sort()).toEqual(
      ['email', 'password', 'username'],
    );
    expectProblem(await http.post('/auth/register', { ...aUser(), roles: ['admin'] }), 400);
  });
});
