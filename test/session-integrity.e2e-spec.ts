import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { aUser, credentials, UserInput } from './factories/user.factory';
import { expectInvalidToken, expectProblem } from './support/expectations';
import { HttpResponse } from './support/http';
import { TestApp, useTwoInstances as useTwoInstancesOf } from './support/test-app';

/*
 * "A session ends for good" (API.md, Tokens), raced the way an attacker races it: on two
 * instances over one Redis, logins (and refreshes) in flight while the change that must end them
 * runs. Every race runs 50 times and must leave zero survivors. TRUST_PROXY and a client address
 * per request keep the per-IP throttles out of the way of the volume.
 */
const TRIALS = 50;
const ADMIN = { email: 'root@example.com', password: 'root-password-for-tests-only' };

const anIp = () => `198.51.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;
const from = (ip = anIp()) => ({ headers: { 'x-forwarded-for': ip } });
const withToken = (token: string) => ({ token, ...from() });

describe('sessions end for good, on two instances', () => {
  const apps = useTwoInstances();
  let a: TestApp;
  let b: TestApp;
  let adminToken: string;

  beforeAll(async () => {
    [a, b] = apps;
    adminToken = (await login(a, { username: ADMIN.email, password: ADMIN.password })).body
      .access_token as string;
  });

  function login(app: TestApp, body: object): Promise<HttpResponse> {
    return app.http.post('/auth/login', body, from());
  }

  async function registered(): Promise<UserInput & { id: string }> {
    const user = aUser();
    const created = await a.http.post('/auth/register', user, from());
    expect(created.status).toBe(201);
    return { ...user, id: (created.body as { id: string }).id };
  }

  /**
   * Starts `count` logins alternately on A and B, runs `change` after `delayMs` (while the logins
   * are in flight: each costs an argon2 run), and returns every login's answer once all are done.
   */
  async function loginsRacing(
    body: object,
    change: () => Promise<HttpResponse>,
    delayMs: number,
    count = 4,
  ): Promise<{ logins: HttpResponse[]; change: HttpResponse }> {
    const logins = Array.from({ length: count }, (_, i) => login(i % 2 ? b : a, body));
    await sleep(delayMs);
    const changed = await change();
    return { logins: await Promise.all(logins), change: changed };
  }

  /** Every token pair handed out by `logins` is dead on both instances. */
  async function expectNoSurvivor(logins: HttpResponse[]): Promise<void> {
    for (const response of logins.filter((r) => r.status === 200)) {
      const { access_token, refresh_token } = response.body as Record<string, string>;
      expectInvalidToken(await a.http.get('/auth/me', { token: access_token }));
      expectInvalidToken(await b.http.get('/auth/me', { token: access_token }));
      const refreshed = await b.http.post('/auth/refresh', { refresh_token }, from());
      expectProblem(refreshed, 401);
    }
  }

  /**
   * A login whose request was sent before a logout-all may still be read by the server only after
   * the logout-all returned: its session is then simply newer, and legitimate. What must never
   * exist is an orphan (the old bug): a session that the owner cannot see and a logout-all does
   * not end. So every session left working is listed, and the next logout-all ends it everywhere.
   */
  async function expectNoOrphan(
    logins: HttpResponse[],
    user: UserInput,
    owner: string,
  ): Promise<string> {
    const working = [];
    for (const response of logins.filter((r) => r.status === 200)) {
      const tokens = response.body as Record<string, string>;
      if ((await b.http.get('/auth/me', { token: tokens.access_token })).status === 200) {
        working.push(tokens);
      }
    }
    if (working.length === 0) return owner;
    const listed = (await a.http.get('/auth/sessions', withToken(owner))).body as { id: string }[];
    for (const tokens of working) expect(listed.map((l) => l.id)).toContain(tokens.session_id);
    expect((await b.http.post('/auth/logout-all', undefined, withToken(owner))).status).toBe(204);
    await expectNoSurvivor(working.map((body) => ({ status: 200, body }) as HttpResponse));
    // That logout-all ended the owner's session too: the owner signs in again.
    return signedIn(user);
  }

  /** A fresh login's access token for `user`, started after everything before it returned. */
  async function signedIn(user: UserInput): Promise<string> {
    const response = await login(a, credentials(user));
    expect(response.status).toBe(200);
    return (response.body as Record<string, string>).access_token;
  }

  it('leaves no session of a login racing a session listing and logout-all', async () => {
    const user = await registered();
    let owner = await signedIn(user);
    for (let trial = 0; trial < TRIALS; trial++) {
      const token = owner;
      const listThenEndAll = async () => {
        expect((await a.http.get('/auth/sessions', withToken(token))).status).toBe(200);
        return b.http.post('/auth/logout-all', undefined, withToken(token));
      };
      const raced = await loginsRacing(credentials(user), listThenEndAll, trial % 25);
      expect(raced.change.status).toBe(204);
      owner = await expectNoOrphan(raced.logins, user, await signedIn(user));
      const listed = await b.http.get('/auth/sessions', withToken(owner));
      expect(listed.body).toEqual([expect.objectContaining({ current: true })]);
    }
  }, 180_000);

  it('leaves no session of a login racing a password change', async () => {
    const user = await registered();
    let password = user.password;
    for (let trial = 0; trial < TRIALS; trial++) {
      const owner = await signedIn({ ...user, password });
      const next = `${password.slice(0, 20)}-${trial}x`;
      const change = () =>
        b.http.post(
          '/auth/password',
          { currentPassword: password, newPassword: next },
          withToken(owner),
        );
      const raced = await loginsRacing({ username: user.username, password }, change, trial % 25);
      expect(raced.change.status).toBe(204);
      await expectNoSurvivor(raced.logins);
      password = next;
    }
  }, 180_000);

  it('leaves no session of a login racing a deactivation', async () => {
    for (let trial = 0; trial < TRIALS; trial++) {
      const user = await registered();
      const deactivate = () =>
        b.http.patch(`/users/${user.id}`, { active: false }, withToken(adminToken));
      const raced = await loginsRacing(credentials(user), deactivate, trial % 25, 2);
      expect(raced.change.status).toBe(200);
      await expectNoSurvivor(raced.logins);
    }
  }, 180_000);

  it('leaves a demoted admin no session and no admin scope, whatever raced the demotion', async () => {
    for (let trial = 0; trial < TRIALS; trial++) {
      const admin = aUser();
      const created = await a.http.post(
        '/users',
        { ...admin, roles: ['admin'] },
        withToken(adminToken),
      );
      expect(created.status).toBe(201);
      const id = (created.body as { id: string }).id;
      const first = (await login(b, credentials(admin))).body as Record<string, string>;
      const demote = () => b.http.patch(`/users/${id}`, { roles: ['user'] }, withToken(adminToken));
      // A login and a refresh of the admin's session, both in flight during the demotion.
      const refresh = a.http.post('/auth/refresh', { refresh_token: first.refresh_token }, from());
      const raced = await loginsRacing(credentials(admin), demote, trial % 25, 2);
      expect(raced.change.status).toBe(200);
      // The first session existed before the demotion, and so did its refresh, answered or not:
      // whatever they handed out is dead.
      await expectNoSurvivor([await refresh]);
      expectInvalidToken(await a.http.get('/auth/me', { token: first.access_token }));
      // A login read by the server only after the demotion returned is a plain user's session;
      // one read before it is dead. Either way no admin power survives, now or after a refresh.
      for (const response of raced.logins.filter((r) => r.status === 200)) {
        const { access_token: token, refresh_token } = response.body as Record<string, string>;
        expect([401, 403]).toContain((await a.http.get('/users', { token })).status);
        const renewed = await b.http.post('/auth/refresh', { refresh_token }, from());
        if (renewed.status === 200) {
          const next = (renewed.body as Record<string, string>).access_token;
          expect((await b.http.get('/users', { token: next })).status).toBe(403);
          expect((renewed.body as Record<string, string>).scope).not.toContain('users:');
        }
      }
    }
  }, 240_000);
});

/** Two instances of one deployment, and a login helper with a client address per request. */
function useTwoInstances(overrides: Record<string, string> = {}) {
  return useTwoInstancesOf({
    TRUST_PROXY: 'true',
    BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    ...overrides,
  });
}

async function tokensOf(app: TestApp, body: object): Promise<Record<string, string>> {
  const response = await app.http.post('/auth/login', body, from());
  expect(response.status).toBe(200);
  return response.body as Record<string, string>;
}

describe('the last active admin, on two instances', () => {
  const apps = useTwoInstances();

  it('stays when two admins demote each other at the same moment', async () => {
    const [a, b] = apps;
    let survivor = (await tokensOf(a, { username: ADMIN.email, password: ADMIN.password }))
      .access_token;
    for (let trial = 0; trial < TRIALS; trial++) {
      // The survivor of the last trial makes a second admin: exactly two active admins race.
      const other = aUser();
      const created = await a.http.post(
        '/users',
        { ...other, roles: ['admin'] },
        withToken(survivor),
      );
      expect(created.status).toBe(201);
      const otherId = (created.body as { id: string }).id;
      const otherToken = (await tokensOf(b, credentials(other))).access_token;
      const survivorId = (await a.http.get('/auth/me', { token: survivor })).body.id as string;
      const demote = trial % 2 ? { roles: ['user'] } : { active: false };
      const [one, two] = await Promise.all([
        a.http.patch(`/users/${otherId}`, demote, withToken(survivor)),
        b.http.patch(`/users/${survivorId}`, demote, withToken(otherToken)),
      ]);
      const statuses = [one.status, two.status].sort();
      // One wins; the other is refused as the last admin (409), or finds its own session ended
      // by the winner's change (401) when the winner's change landed first.
      expect(statuses[0]).toBe(200);
      expect([401, 409]).toContain(statuses[1]);
      const admins = await a.http.get(
        '/users?limit=100',
        withToken(one.status === 200 ? survivor : otherToken),
      );
      const active = (
        admins.body as { items: { roles: string[]; active: boolean }[] }
      ).items.filter((u) => u.active && u.roles.includes('admin'));
      expect(active).toHaveLength(1);
      survivor = one.status === 200 ? survivor : otherToken;
    }
  }, 240_000);
});

describe('sessions per user (MAX_SESSIONS_PER_USER=3)', () => {
  // Every login is counted on the account's budget before argon2 and given back on success:
  // 60 in flight at once would pass the default per-account limit (10 × 5), which is the
  // brute-force defence's business, not this test's.
  const apps = useTwoInstances({ MAX_SESSIONS_PER_USER: '3', LOGIN_MAX_FAILURES: '20' });

  it('ends the least recently used session beyond the cap, audited, and lists at most the cap', async () => {
    const [a, b] = apps;
    const user = aUser();
    expect((await a.http.post('/auth/register', user, from())).status).toBe(201);
    const sessions = [];
    for (let i = 0; i < 3; i++) sessions.push(await tokensOf(i % 2 ? b : a, credentials(user)));
    // The first session is used again, so the second is now the least recently used.
    const renewed = await a.http.post(
      '/auth/refresh',
      { refresh_token: sessions[0].refresh_token },
      from(),
    );
    expect(renewed.status).toBe(200);
    const fourth = await tokensOf(b, credentials(user));
    expectInvalidToken(await a.http.get('/auth/me', { token: sessions[1].access_token }));
    const listed = await a.http.get('/auth/sessions', withToken(fourth.access_token));
    expect((listed.body as { id: string }[]).map((s) => s.id).sort()).toEqual(
      [sessions[0].session_id, sessions[2].session_id, fourth.session_id].sort(),
    );
    const admin = await tokensOf(a, { username: ADMIN.email, password: ADMIN.password });
    const me = await a.http.get('/auth/me', { token: fourth.access_token });
    const audit = await a.http.get(
      `/admin/audit?event=SESSION_REVOKED&userId=${me.body.id}`,
      withToken(admin.access_token),
    );
    expect(audit.body.items).toContainEqual(
      expect.objectContaining({
        details: expect.objectContaining({
          reason: 'session limit',
          sessionIds: [sessions[1].session_id],
        }),
      }),
    );
  });

  it('holds at most the cap under 60 concurrent logins on two instances', async () => {
    const [a, b] = apps;
    const user = aUser();
    expect((await a.http.post('/auth/register', user, from())).status).toBe(201);
    const logins = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        (i % 2 ? b : a).http.post('/auth/login', credentials(user), from()),
      ),
    );
    const ok = logins.filter((r) => r.status === 200);
    expect(ok).toHaveLength(60);
    const last = await tokensOf(a, credentials(user));
    const listed = await b.http.get('/auth/sessions', withToken(last.access_token));
    expect(listed.body).toHaveLength(3);
    let working = 0;
    for (const r of ok) {
      if ((await a.http.get('/auth/me', { token: r.body.access_token })).status === 200) working++;
    }
    expect(working).toBeLessThanOrEqual(2);
  }, 60_000);

  it('throttles GET /auth/sessions per client', async () => {
    const [a] = apps;
    const user = aUser();
    expect((await a.http.post('/auth/register', user, from())).status).toBe(201);
    const { access_token: token } = await tokensOf(a, credentials(user));
    const ip = anIp();
    const answers = [];
    for (let i = 0; i < 130; i++) {
      answers.push((await a.http.get('/auth/sessions', { token, ...from(ip) })).status);
    }
    expect(answers.filter((s) => s === 200).length).toBeLessThanOrEqual(120);
    expect(answers).toContain(429);
  }, 60_000);
});

describe('device cookies (LOGIN_MAX_FAILURES=5)', () => {
  const apps = useTwoInstances();

  /** `name=value` of the device cookie a login set. */
  function deviceCookieOf(response: HttpResponse): string {
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('__Secure-device='));
    if (!cookie) throw new Error('no device cookie was set');
    return cookie.split(';')[0];
  }

  /** Wrong guesses from one IP on A and B, each with the next cookie: how many got a 401. */
  async function guessesAdmitted(username: string, cookies: string[], tries: number) {
    const ip = anIp();
    let admitted = 0;
    for (let i = 0; i < tries; i++) {
      const response = await apps[i % 2].http.post(
        '/auth/login',
        { username, password: 'wrong-password-guess' },
        { headers: { 'x-forwarded-for': ip, cookie: cookies[i % cookies.length] } },
      );
      if (response.status === 401) admitted++;
      else expectProblem(response, 429);
    }
    return admitted;
  }

  async function cookiesFor(user: UserInput, count: number): Promise<string[]> {
    const cookies = [];
    for (let i = 0; i < count; i++) {
      const response = await apps[i % 2].http.post('/auth/login', credentials(user), from());
      expect(response.status).toBe(200);
      cookies.push(deviceCookieOf(response));
    }
    return cookies;
  }

  it('stop counting as known devices once the password changes', async () => {
    const user = aUser();
    expect((await apps[0].http.post('/auth/register', user, from())).status).toBe(201);
    const cookies = await cookiesFor(user, 22);
    const { access_token: token } = await tokensOf(apps[0], credentials(user));
    const newPassword = `${user.password}-new`;
    const changed = await apps[1].http.post(
      '/auth/password',
      { currentPassword: user.password, newPassword },
      withToken(token),
    );
    expect(changed.status).toBe(204);
    // Before: each of the 22 old cookies was a fresh budget of 5 (110 guesses, never locked).
    expect(await guessesAdmitted(user.username, cookies, 110)).toBe(5);
  }, 60_000);

  it('count the failures of all of a user’s devices on one budget', async () => {
    const user = aUser();
    expect((await apps[0].http.post('/auth/register', user, from())).status).toBe(201);
    const cookies = await cookiesFor(user, 10);
    // Ten devices together get 2 × 5; then the client is untrusted and its pair allows 5.
    expect(await guessesAdmitted(user.username, cookies, 60)).toBe(15);
  }, 60_000);
});
