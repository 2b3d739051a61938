import { KNOWN_SCOPES } from '../src/config/scopes';
import { aUser } from './factories/user.factory';
import { expectInvalidToken, expectProblem } from './support/expectations';
import { Http, HttpResponse } from './support/http';
import { cleanUp, startApp, testEnvironment, TestApp } from './support/test-app';

const ADMIN = { email: 'chief@example.com', password: 'chief-password-for-tests-only' };

describe('admin users API', () => {
  let t: TestApp;
  let http: Http;
  let admin: string;

  beforeAll(async () => {
    t = await startApp(
      testEnvironment({
        BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
        BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      }),
    );
    http = t.http;
    admin = (await http.post('/auth/login', { username: ADMIN.email, password: ADMIN.password }))
      .body.access_token;
  });
  afterAll(async () => {
    await t.close();
    await cleanUp(t.env);
  });

  async function createUser(roles?: string[]) {
    const input = aUser();
    const created = await http.post('/users', { ...input, roles }, { token: admin });
    expect(created.status).toBe(201);
    return { input, user: created.body };
  }
  const login = (username: string, password: string) =>
    http.post('/auth/login', { username, password });

  it('creates users with roles, never exposing a password hash', async () => {
    const { input, user } = await createUser(['admin']);
    expect(user).toEqual({
      id: expect.any(String),
      email: input.email,
      username: input.username,
      roles: ['user', 'admin'],
      scopes: [],
      active: true,
      emailVerified: false,
      createdAt: expect.any(String),
    });
    const fetched = await http.get(`/users/${user.id}`, { token: admin });
    expect(fetched.body).toEqual(user);
    expect(fetched.text).not.toMatch(/argon2|passwordHash/);
  });

  it('applies the password policy and uniqueness to admin create', async () => {
    const { input } = await createUser();
    expectProblem(
      await http.post('/users', aUser({ password: 'password1234' }), { token: admin }),
      400,
    );
    expectProblem(await http.post('/users', aUser({ email: input.email }), { token: admin }), 409);
    expectProblem(
      await http.post('/users', { ...aUser(), roles: ['root'] }, { token: admin }),
      400,
    );
  });

  it('pages through every user with cursors, oldest first, without repeats', async () => {
    for (let i = 0; i < 5; i += 1) await createUser();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
      const page = await http.get(`/users${query}`, { token: admin });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((u: { id: string }) => u.id));
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 50);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual(seen); // UUIDv7 ids: creation order
    const all = await http.get('/users?limit=100', { token: admin });
    expect(seen).toEqual(all.body.items.map((u: { id: string }) => u.id));
  });

  it('answers 404 for an unknown or malformed id and 400 for a bad limit', async () => {
    expectProblem(
      await http.get('/users/01a20a50-0000-7000-8000-000000000000', { token: admin }),
      404,
    );
    expectProblem(await http.get('/users/not-a-uuid', { token: admin }), 404);
    expectProblem(
      await http.patch(
        '/users/01a20a50-0000-7000-8000-000000000000',
        { active: false },
        { token: admin },
      ),
      404,
    );
    expectProblem(
      await http.delete('/users/01a20a50-0000-7000-8000-000000000000', { token: admin }),
      404,
    );
    expectProblem(await http.get('/users?limit=0', { token: admin }), 400);
  });

  it('ends every session of a user whose roles change, and the new token carries the new role', async () => {
    const { input, user } = await createUser();
    const before = (await login(input.username, input.password)).body;
    const patched = await http.patch(`/users/${user.id}`, { roles: ['admin'] }, { token: admin });
    expect(patched.body.roles).toEqual(['user', 'admin']);
    expectInvalidToken(await http.get('/auth/me', { token: before.access_token }));
    expectProblem(await http.post('/auth/refresh', { refresh_token: before.refresh_token }), 401);
    const after = (await login(input.username, input.password)).body;
    expect((await http.get('/users', { token: after.access_token })).status).toBe(200);
  });

  it('deactivating a user ends their sessions and their login gets the wrong-password 401', async () => {
    const { input, user } = await createUser();
    const session = (await login(input.username, input.password)).body;
    expect(
      (await http.patch(`/users/${user.id}`, { active: false }, { token: admin })).body.active,
    ).toBe(false);
    expectInvalidToken(await http.get('/auth/me', { token: session.access_token }));
    const refused = await login(input.username, input.password);
    const wrong = await login(input.username, `${input.password}-wrong`);
    expectProblem(refused, 401);
    expect(refused.body).toEqual(wrong.body);
    await http.patch(`/users/${user.id}`, { active: true }, { token: admin });
    expect((await login(input.username, input.password)).status).toBe(200);
  });

  it('records which admin created, changed and deleted a user', async () => {
    const { user } = await createUser();
    await http.patch(`/users/${user.id}`, { scopes: ['profile'] }, { token: admin });
    await http.delete(`/users/${user.id}`, { token: admin });
    const adminId = (await http.get('/auth/me', { token: admin })).body.id;
    const trail = await http.get(`/admin/audit?userId=${user.id}`, { token: admin });
    const events = trail.body.items.map((e: any) => [e.event, e.details.by]);
    expect(events).toEqual([
      ['USER_DELETED', adminId],
      ['USER_UPDATED', adminId],
      ['USER_CREATED', adminId],
    ]);
  });

  it('deleting a user ends their sessions and frees the email', async () => {
    const { input, user } = await createUser();
    const session = (await login(input.username, input.password)).body;
    expect((await http.delete(`/users/${user.id}`, { token: admin })).status).toBe(204);
    expectInvalidToken(await http.get('/auth/me', { token: session.access_token }));
    expectProblem(await http.get(`/users/${user.id}`, { token: admin }), 404);
    expect((await http.post('/auth/register', { ...aUser(), email: input.email })).status).toBe(
      201,
    );
  });

  /** A plain user granted `users:write` and `users:read` by the admin, freshly logged in. */
  async function scopeOnlyWriter() {
    const { input, user } = await createUser();
    const scopes = ['users:write', 'users:read'];
    expect((await http.patch(`/users/${user.id}`, { scopes }, { token: admin })).status).toBe(200);
    const session = (await login(input.username, input.password)).body;
    expect(session.scope.split(' ')).toEqual(expect.arrayContaining(scopes));
    expect(session.scope).not.toContain('tokens:introspect');
    return { input, user, token: session.access_token as string };
  }

  it('a scope-only users:write holder cannot make itself admin or change its own scopes (403)', async () => {
    const writer = await scopeOnlyWriter();
    const own = `/users/${writer.user.id}`;
    const promote = await http.patch(own, { roles: ['admin'] }, { token: writer.token });
    expectProblem(promote, 403);
    expect(promote.body.detail).toMatch(/your own/);
    expectProblem(
      await http.patch(own, { scopes: ['tokens:introspect'] }, { token: writer.token }),
      403,
    );
    expectProblem(await http.delete(own, { token: writer.token }), 403);
    const again = (await login(writer.input.username, writer.input.password)).body;
    const me = await http.get('/auth/me', { token: again.access_token });
    expect(me.body.roles).toEqual(['user']);
    expect(
      (await http.get(`/admin/audit?userId=${writer.user.id}`, { token: again.access_token }))
        .status,
    ).toBe(403);
  });

  it('a scope-only users:write holder cannot create an admin or grant a scope it lacks (403)', async () => {
    const writer = await scopeOnlyWriter();
    const candidate = aUser();
    expectProblem(
      await http.post('/users', { ...candidate, roles: ['admin'] }, { token: writer.token }),
      403,
    );
    expectProblem(await login(candidate.username, candidate.password), 401);
    const { user } = await createUser();
    const grant = await http.patch(
      `/users/${user.id}`,
      { scopes: ['tokens:introspect'] },
      { token: writer.token },
    );
    expectProblem(grant, 403);
    expect(grant.body.detail).toContain('tokens:introspect');
    expectProblem(
      await http.patch(`/users/${user.id}`, { roles: ['admin'] }, { token: writer.token }),
      403,
    );
    const unchanged = await http.get(`/users/${user.id}`, { token: admin });
    expect(unchanged.body).toEqual(expect.objectContaining({ roles: ['user'], scopes: [] }));
  });

  it('a scope-only users:write holder cannot deactivate, demote or delete an admin (403)', async () => {
    const writer = await scopeOnlyWriter();
    const { input, user } = await createUser(['admin']);
    const target = `/users/${user.id}`;
    expectProblem(await http.patch(target, { active: false }, { token: writer.token }), 403);
    expectProblem(await http.patch(target, { roles: ['user'] }, { token: writer.token }), 403);
    expectProblem(await http.delete(target, { token: writer.token }), 403);
    const after = await http.get(target, { token: admin });
    expect(after.body).toEqual(expect.objectContaining({ roles: ['user', 'admin'], active: true }));
    expect((await login(input.username, input.password)).status).toBe(200);
  });

  it('a scope-only users:write holder can create plain users and deactivate or delete them', async () => {
    const writer = await scopeOnlyWriter();
    const created = await http.post(
      '/users',
      { ...aUser(), roles: ['user'] },
      { token: writer.token },
    );
    expect(created.status).toBe(201);
    expect(created.body.roles).toEqual(['user']);
    const target = `/users/${created.body.id}`;
    const deactivated = await http.patch(
      target,
      { active: false, scopes: ['users:read'] },
      { token: writer.token },
    );
    expect(deactivated.status).toBe(200);
    expect(deactivated.body).toEqual(
      expect.objectContaining({ active: false, scopes: ['users:read'] }),
    );
    expect((await http.delete(target, { token: writer.token })).status).toBe(204);
  });

  it("an admin cannot change their own roles (403) but can change another admin's", async () => {
    const me = (await http.get('/auth/me', { token: admin })).body;
    const demote = await http.patch(`/users/${me.id}`, { roles: ['user'] }, { token: admin });
    expectProblem(demote, 403);
    expect(demote.body.detail).toMatch(/your own/);
    expectProblem(
      await http.patch(`/users/${me.id}`, { scopes: ['audit:read'] }, { token: admin }),
      403,
    );
    expect((await http.get('/auth/me', { token: admin })).body.roles).toEqual(['user', 'admin']);
    const { user } = await createUser(['admin']);
    const other = await http.patch(
      `/users/${user.id}`,
      { roles: ['user'], scopes: ['audit:read'] },
      { token: admin },
    );
    expect(other.status).toBe(200);
    expect(other.body).toEqual(
      expect.objectContaining({ roles: ['user'], scopes: ['audit:read'] }),
    );
  });

  describe('scopes are checked against KNOWN_SCOPES', () => {
    function expectUnknownScopeRefused(response: HttpResponse) {
      expectProblem(response, 400);
      expect(response.body.errors).toEqual([
        { field: 'scopes', message: expect.stringMatching(/unknown: bogus:scope$/) },
      ]);
    }

    it('refuses an unknown scope on PATCH with a 400 naming it, and stores nothing', async () => {
      const { input, user } = await createUser();
      const patch = { scopes: ['users:read', 'bogus:scope'] };
      expectUnknownScopeRefused(await http.patch(`/users/${user.id}`, patch, { token: admin }));
      expect((await http.get(`/users/${user.id}`, { token: admin })).body.scopes).toEqual([]);
      const session = (await login(input.username, input.password)).body;
      expect(session.scope).toBe('profile');
    });

    async function createWithScopes(scopes: string[]) {
      const input = aUser();
      return { input, created: await http.post('/users', { ...input, scopes }, { token: admin }) };
    }

    it('refuses an unknown scope on POST /users with a 400 naming it, and creates nobody', async () => {
      const { input, created } = await createWithScopes(['bogus:scope']);
      expectUnknownScopeRefused(created);
      expectProblem(await login(input.username, input.password), 401);
    });

    it('creates a user with known scopes, which their tokens then carry', async () => {
      const { input, created } = await createWithScopes(['audit:read']);
      expect(created.status).toBe(201);
      expect(created.body.scopes).toEqual(['audit:read']);
      const session = (await login(input.username, input.password)).body;
      expect(session.scope.split(' ').sort()).toEqual(['audit:read', 'profile']);
    });

    it('takes every scope of src/config/scopes.ts, the one list there is', async () => {
      const { user } = await createUser();
      const all = [...KNOWN_SCOPES];
      const patched = await http.patch(`/users/${user.id}`, { scopes: all }, { token: admin });
      expect(patched.status).toBe(200);
      expect(patched.body.scopes).toEqual(all);
    });
  });

  it('refuses users without the users scopes (403)', async () => {
    const { input } = await createUser();
    const plain = (await login(input.username, input.password)).body.access_token;
    expectProblem(await http.get('/users', { token: plain }), 403);
    expectProblem(await http.post('/users', aUser(), { token: plain }), 403);
    expectProblem(
      await http.patch(
        '/users/01a20a50-0000-7000-8000-000000000000',
        { active: false },
        { token: plain },
      ),
      403,
    );
    expectProblem(
      await http.delete('/users/01a20a50-0000-7000-8000-000000000000', { token: plain }),
      403,
    );
  });
});

// Its own app, started after the one above has closed: passport's strategy registry is
// process-global, so two apps with different keys must not run side by side in one process.
describe('the last active admin', () => {
  // With the self rule no admin can demote, deactivate or delete themselves, so the last active
  // admin can only lose its rights to another admin (who then remains): the 409 last-admin check
  // in UserAdminService stays as defence in depth.
  it('cannot demote, deactivate or delete itself (403); another admin can demote it', async () => {
    const env = testEnvironment({
      BOOTSTRAP_ADMIN_EMAIL: 'solo@example.com',
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    });
    const solo = await startApp(env);
    try {
      const token = (
        await solo.http.post('/auth/login', {
          username: 'solo@example.com',
          password: ADMIN.password,
        })
      ).body.access_token;
      const me = (await solo.http.get('/auth/me', { token })).body;
      expectProblem(await solo.http.patch(`/users/${me.id}`, { roles: ['user'] }, { token }), 403);
      expectProblem(await solo.http.patch(`/users/${me.id}`, { active: false }, { token }), 403);
      expectProblem(await solo.http.delete(`/users/${me.id}`, { token }), 403);
      expect((await solo.http.get('/auth/me', { token })).body.roles).toEqual(['user', 'admin']);

      const input = aUser();
      const second = await solo.http.post('/users', { ...input, roles: ['admin'] }, { token });
      expect(second.status).toBe(201);
      const other = (
        await solo.http.post('/auth/login', { username: input.username, password: input.password })
      ).body.access_token;
      const demoted = await solo.http.patch(
        `/users/${me.id}`,
        { roles: ['user'] },
        { token: other },
      );
      expect(demoted.status).toBe(200);
      expect(demoted.body.roles).toEqual(['user']);
    } finally {
      await solo.close();
      await cleanUp(solo.env);
    }
  });
});
