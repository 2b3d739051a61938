import { ROLE_DEFAULT_SCOPES } from '../src/config/scopes';
import { aUser } from './factories/user.factory';
import { expectProblem } from './support/expectations';
import { HttpResponse } from './support/http';
import { useTestApp } from './support/test-app';

const ADMIN = { email: 'narrow@example.com', password: 'narrow-admin-password-for-tests' };
const UNKNOWN_ID = '01a20a50-0000-7000-8000-000000000000';

/**
 * "Authorization is by scope" (API.md, Tokens): a role only grants default scopes, and a token
 * asked with a narrower `scope` at login has exactly the narrower power, whatever its roles.
 */
describe('a narrowed token is narrow', () => {
  const app = useTestApp({
    BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
  });
  const http = () => app().http;
  /** An access token of `username`, asked with `scope` (every allowed scope when undefined). */
  async function login(username: string, password: string, scope?: string): Promise<string> {
    const response = await http().post('/auth/login', { username, password, scope });
    expect(response.status).toBe(200);
    return response.body.access_token;
  }
  const admin = (scope?: string) => login(ADMIN.email, ADMIN.password, scope);
  async function createUser(roles?: string[], scopes?: string[]) {
    const input = aUser();
    const created = await http().post('/users', { ...input, roles }, { token: await admin() });
    expect(created.status).toBe(201);
    if (scopes) {
      const path = `/users/${created.body.id}`;
      expect((await http().patch(path, { scopes }, { token: await admin() })).status).toBe(200);
    }
    return { input, id: created.body.id as string };
  }
  const statuses = (responses: HttpResponse[]) => responses.map((r) => r.status);
  /** One call to every protected admin route, as `token`; the target users are plain. */
  async function everyAdminRoute(token: string, target: string) {
    const options = { token };
    return {
      list: await http().get('/users', options),
      get: await http().get(`/users/${target}`, options),
      create: await http().post('/users', aUser(), options),
      promote: await http().patch(`/users/${target}`, { roles: ['admin'] }, options),
      remove: await http().delete(`/users/${UNKNOWN_ID}`, options),
      audit: await http().get('/admin/audit', options),
      introspect: await http().post('/auth/introspect', { token }, options),
    };
  }

  it('refuses an admin logged in with scope=profile on every admin route (403), changing nothing', async () => {
    const target = await createUser();
    const token = await admin('profile');
    const calls = await everyAdminRoute(token, target.id);
    for (const response of Object.values(calls)) expectProblem(response, 403);
    const after = await http().get(`/users/${target.id}`, { token: await admin() });
    expect(after.body.roles).toEqual(['user']);
  });

  it('keeps a narrowed admin token narrow after a refresh', async () => {
    const login = await http().post('/auth/login', {
      username: ADMIN.email,
      password: ADMIN.password,
      scope: 'profile',
    });
    const refreshed = await http().post('/auth/refresh', {
      refresh_token: login.body.refresh_token,
    });
    expect(refreshed.body.scope).toBe('profile');
    expectProblem(await http().get('/users', { token: refreshed.body.access_token }), 403);
  });

  it('lets an admin with scope=users:read read users and nothing more', async () => {
    const target = await createUser();
    const calls = await everyAdminRoute(await admin('users:read'), target.id);
    expect(statuses([calls.list, calls.get])).toEqual([200, 200]);
    for (const denied of [calls.create, calls.promote, calls.remove, calls.audit])
      expectProblem(denied, 403);
    expectProblem(calls.introspect, 403);
  });

  it('lets an admin with scope=users:write act as an admin on users, but not read them', async () => {
    const target = await createUser();
    const calls = await everyAdminRoute(await admin('users:write'), target.id);
    expect(statuses([calls.create, calls.promote, calls.remove])).toEqual([201, 200, 404]);
    expect(calls.promote.body.roles).toEqual(['user', 'admin']);
    for (const denied of [calls.list, calls.get, calls.audit, calls.introspect])
      expectProblem(denied, 403);
  });

  it('serves the audit trail to scope audit:read only', async () => {
    expect((await http().get('/admin/audit', { token: await admin('audit:read') })).status).toBe(
      200,
    );
    expectProblem(await http().get('/admin/audit', { token: await admin('users:read') }), 403);
  });

  it('gives an admin audit:read by default, and every admin route with its default scopes', async () => {
    const login = await http().post('/auth/login', {
      username: ADMIN.email,
      password: ADMIN.password,
    });
    expect(login.body.scope.split(' ').sort()).toEqual([...ROLE_DEFAULT_SCOPES.admin].sort());
    expect(login.body.scope.split(' ')).toContain('audit:read');
    const target = await createUser();
    const calls = await everyAdminRoute(login.body.access_token, target.id);
    expect(
      statuses([
        calls.list,
        calls.get,
        calls.create,
        calls.promote,
        calls.remove,
        calls.audit,
        calls.introspect,
      ]),
    ).toEqual([200, 200, 201, 200, 404, 200, 200]);
  });

  it('lets a plain user granted users:write edit plain users, but not set roles or read users', async () => {
    const writer = await createUser(undefined, ['users:write']);
    const token = await login(writer.input.username, writer.input.password);
    const target = await createUser();
    const path = `/users/${target.id}`;
    expect((await http().patch(path, { scopes: ['users:write'] }, { token })).status).toBe(200);
    expect((await http().patch(path, { active: false }, { token })).status).toBe(200);
    expectProblem(await http().patch(path, { roles: ['admin'] }, { token }), 403);
    expectProblem(await http().patch(path, { scopes: ['audit:read'] }, { token }), 403);
    expectProblem(await http().get(path, { token }), 403);
    expectProblem(await http().get('/admin/audit', { token }), 403);
    const after = await http().get(path, { token: await admin() });
    expect(after.body).toEqual(
      expect.objectContaining({ roles: ['user'], scopes: ['users:write'], active: false }),
    );
  });

  it('gives a plain user granted audit:read the audit trail, without any role', async () => {
    const auditor = await createUser(undefined, ['audit:read']);
    const token = await login(auditor.input.username, auditor.input.password);
    expect((await http().get('/admin/audit', { token })).status).toBe(200);
    expectProblem(await http().get('/users', { token }), 403);
  });
});
