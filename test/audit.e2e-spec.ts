import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import { Writable } from 'node:stream';
import { createApp } from '../src/app.factory';
import { Env, validateEnv } from '../src/config/env.validation';
import { aUser } from './factories/user.factory';
import { expectInvalidToken, expectProblem } from './support/expectations';
import { Http } from './support/http';
import { outboxMailsTo } from './support/outbox';
import { linkIn } from './support/smtp-server';
import { keysWithPrefix, REDIS_URL } from './support/redis';
import { cleanUp, startApp, testEnvironment, TestApp } from './support/test-app';

const ADMIN = { email: 'auditor@example.com', password: 'admin-password-for-audit-tests' };

/** Everything pino wrote, as it was written. */
class CapturedLogs extends Writable {
  readonly chunks: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.chunks.push(chunk.toString());
    done();
  }
  get text(): string {
    return this.chunks.join('');
  }
  get lines(): Record<string, any>[] {
    return this.text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  }
}

/** Asserts that `expected` occurs in `actual` in this order, other items allowed in between. */
function expectInOrder(actual: string[], expected: string[]): void {
  let at = 0;
  for (const item of actual) if (item === expected[at]) at++;
  expect({ found: expected.slice(0, at), missing: expected.slice(at) }).toEqual({
    found: expected,
    missing: [],
  });
}

describe('audit trail and logs (redis store)', () => {
  const logs = new CapturedLogs();
  /** Every password, token and refresh secret this test used: none may be logged or stored. */
  const secrets: string[] = [];
  let env: Env;
  let app: NestFastifyApplication;
  let http: Http;
  let admin: string;
  const user = aUser();
  /** The password the reset sets (after a change to `${user.password}-new`). */
  const RESET_PASSWORD = `${user.password}-reset`;
  let userId: string;
  let createdId: string;

  const keep = (...values: string[]): void => void secrets.push(...values);
  /** A token response's secrets: both tokens, the refresh secret and the JWT signature. */
  function keepTokens(body: { access_token: string; refresh_token: string }): void {
    keep(body.access_token, body.access_token.split('.')[2]);
    keep(body.refresh_token, body.refresh_token.split('.')[1]);
  }
  async function login(username: string, password: string) {
    const response = await http.post('/auth/login', { username, password });
    expect(response.status).toBe(200);
    keepTokens(response.body);
    return response.body as { access_token: string; refresh_token: string };
  }
  const audit = (query = '', token = admin) => http.get(`/admin/audit${query}`, { token });

  beforeAll(async () => {
    env = validateEnv(
      testEnvironment({
        BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
        BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      }),
    );
    app = await createApp(env, { logDestination: logs });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.getHttpServer().address() as { port: number };
    http = new Http(`http://127.0.0.1:${port}`);
    keep(ADMIN.password, user.password);
    await userLifecycle();
    await emailVerification();
    await passwordAndBadTokens();
    await passwordReset();
    await adminChanges();
  });

  afterAll(async () => {
    await app.close();
    await cleanUp(env);
  });

  /** register, login, me, refresh, reuse of the rotated refresh token, logout, a wrong password. */
  async function userLifecycle(): Promise<void> {
    const registered = await http.post('/auth/register', user);
    expect(registered.status).toBe(201);
    userId = registered.body.id;
    const first = await login(user.username, user.password);
    expect((await http.get('/auth/me', { token: first.access_token })).status).toBe(200);
    const rotated = await http.post('/auth/refresh', { refresh_token: first.refresh_token });
    expect(rotated.status).toBe(200);
    keepTokens(rotated.body);
    expectProblem(await http.post('/auth/refresh', { refresh_token: first.refresh_token }), 401);

    const second = await login(user.email, user.password);
    expect(
      (await http.post('/auth/logout', undefined, { token: second.access_token })).status,
    ).toBe(204);
    const wrong = `${user.password}-wrong`;
    keep(wrong);
    expectProblem(
      await http.post('/auth/login', { username: user.username, password: wrong }),
      401,
    );
  }

  /** The verification mails of registration and of a resend (.eml files: no SMTP_URL here). */
  async function emailVerification(): Promise<void> {
    expect((await http.post('/auth/email/verify/resend', { email: user.email })).status).toBe(202);
    const mails = await outboxMailsTo(env.mail.outboxDir, user.email, 2);
    const links = mails.map((mail) => linkIn(mail, `${env.mail.appUrl}/verify-email?`));
    const tokens = links.map((link) => link.searchParams.get('token') ?? '');
    keep(...links.map((link) => link.search.slice(1)), ...tokens);
    keep(...tokens.map((token) => token.split('.')[1]));
    expect((await http.post('/auth/email/verify', { token: tokens[1] })).status).toBe(204);
  }

  /** A password change, then a malformed token and a tampered one. */
  async function passwordAndBadTokens(): Promise<void> {
    const third = await login(user.username, user.password);
    const newPassword = `${user.password}-new`;
    keep(newPassword);
    const change = { currentPassword: user.password, newPassword };
    const changed = await http.post('/auth/password', change, { token: third.access_token });
    expect(changed.status).toBe(204);
    expectInvalidToken(await http.get('/auth/me', { token: 'not.a.token' }));
    const tampered = third.access_token.slice(0, -4);
    keep(tampered);
    expectInvalidToken(await http.get('/auth/me', { token: tampered }));
  }

  /** A forgotten password: the reset mail (an .eml file), a refused new password, the reset. */
  async function passwordReset(): Promise<void> {
    expect((await http.post('/auth/password/forgot', { email: user.email })).status).toBe(202);
    const mails = await outboxMailsTo(env.mail.outboxDir, user.email, 3);
    const mail = mails.find((m) => m.subject === 'Reset your password');
    const link = linkIn(mail!, `${env.mail.appUrl}/reset-password?`);
    const token = link.searchParams.get('token') ?? '';
    keep(link.search.slice(1), token, token.split('.')[1], RESET_PASSWORD);
    const refused = { token, newPassword: user.username };
    expectProblem(await http.post('/auth/password/reset', refused), 400);
    const reset = { token, newPassword: RESET_PASSWORD };
    expect((await http.post('/auth/password/reset', reset)).status).toBe(204);
  }

  /** The bootstrap admin creates, patches and deletes a user. */
  async function adminChanges(): Promise<void> {
    admin = (await login(ADMIN.email, ADMIN.password)).access_token;
    const other = aUser();
    keep(other.password);
    const created = await http.post('/users', other, { token: admin });
    expect(created.status).toBe(201);
    createdId = created.body.id;
    const patch = { scopes: ['users:read'] };
    expect((await http.patch(`/users/${createdId}`, patch, { token: admin })).status).toBe(200);
    expect((await http.delete(`/users/${createdId}`, { token: admin })).status).toBe(204);
  }

  describe('GET /admin/audit', () => {
    it('lists the whole trail newest first', async () => {
      const response = await audit('?limit=100');
      expect(response.status).toBe(200);
      const items = response.body.items as { id: string; time: string }[];
      expect(items.length).toBeGreaterThan(15);
      expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
      const times = items.map((i) => i.time);
      expect(new Set(times).size).toBeGreaterThan(5); // spread over time, so the order means something
      expect(times).toEqual([...times].sort().reverse());
    });

    it("shows a user's lifecycle in order, each event with time, severity, ip and request id", async () => {
      const response = await audit(`?userId=${userId}`);
      expect(response.status).toBe(200);
      const items = response.body.items as any[];
      expect(items.every((i) => i.userId === userId)).toBe(true);
      expectInOrder(items.map((i) => i.event).reverse(), [
        'USER_CREATED',
        'LOGIN_SUCCESS',
        'TOKEN_ISSUED',
        'TOKEN_REFRESHED',
        'REFRESH_REUSE_DETECTED',
        'LOGIN_SUCCESS',
        'SESSION_REVOKED',
        'LOGIN_FAILED',
        'EMAIL_VERIFIED',
        'LOGIN_SUCCESS',
        'PASSWORD_CHANGED',
        'PASSWORD_RESET_REQUESTED',
        'PASSWORD_RESET',
      ]);
      const changed = items.find((i) => i.event === 'PASSWORD_CHANGED');
      expect(changed).toEqual({
        id: expect.any(String),
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        event: 'PASSWORD_CHANGED',
        severity: 'info',
        userId,
        // The service passed no ip: it comes from the request being served.
        ip: '127.0.0.1',
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        details: expect.any(Object),
      });
      const reuse = items.find((i) => i.event === 'REFRESH_REUSE_DETECTED');
      expect(reuse.severity).toBe('critical');
    });

    it('records admin changes to a user', async () => {
      const items = (await audit(`?userId=${createdId}`)).body.items as any[];
      expect(items.map((i) => i.event)).toEqual(['USER_DELETED', 'USER_UPDATED', 'USER_CREATED']);
    });

    it('filters by event type, alone and together with a user', async () => {
      const invalid = (await audit('?event=TOKEN_INVALID')).body.items as any[];
      expect(invalid.length).toBeGreaterThanOrEqual(2);
      expect(invalid.every((i) => i.event === 'TOKEN_INVALID')).toBe(true);
      // The guard records a refused token with neither user nor ip: the request supplies the ip.
      expect(invalid.every((i) => i.ip === '127.0.0.1' && i.requestId)).toBe(true);

      const failed = await audit(`?event=LOGIN_FAILED&userId=${userId}`);
      expect(failed.body.items).toEqual([
        expect.objectContaining({ event: 'LOGIN_FAILED', userId, severity: 'warning' }),
      ]);
    });

    it('returns at most `limit` events, the newest', async () => {
      const all = (await audit('?limit=100')).body.items;
      const two = await audit('?limit=2');
      expect(two.body.items).toEqual(all.slice(0, 2));
    });

    it('refuses bad filters with 400', async () => {
      expectProblem(await audit('?limit=101'), 400);
      expectProblem(await audit('?limit=0'), 400);
      expectProblem(await audit('?event=NOT_AN_EVENT'), 400);
      expectProblem(await audit('?userId=a%20b'), 400);
    });

    it('is for admins only', async () => {
      const plain = await login(user.username, RESET_PASSWORD);
      expectProblem(await audit('', plain.access_token), 403);
      expectProblem(await http.get('/admin/audit'), 401);
    });
  });

  describe('logs', () => {
    it('writes one JSON line per request with its request id and method, url and status', () => {
      const lines = logs.lines;
      const done = lines.find((l) => l.req?.url === '/auth/password' && l.res);
      expect(done).toEqual(
        expect.objectContaining({
          level: 'info',
          reqId: expect.any(String),
          req: expect.objectContaining({ method: 'POST' }),
          res: expect.objectContaining({ statusCode: 204 }),
        }),
      );
    });

    it('logs every audit event with the request id of the request that caused it', async () => {
      const items = (await audit('?limit=100')).body.items as any[];
      const logged = new Map(logs.lines.filter((l) => l.audit).map((l) => [l.audit.id, l.audit]));
      for (const item of items) expect(logged.get(item.id)).toEqual(item);
      const changed = items.find((i) => i.event === 'PASSWORD_CHANGED');
      const request = logs.lines.find((l) => l.req?.url === '/auth/password' && l.res);
      expect(changed.requestId).toBe(request?.reqId);
    });

    it('logs no request or response headers (they carry bearer tokens and cookies)', () => {
      const requestLines = logs.lines.filter((l) => l.req && l.res);
      expect(requestLines.length).toBeGreaterThan(10);
      expect(requestLines.filter((l) => l.req.headers || l.res.headers)).toEqual([]);
    });
  });

  describe('secrets', () => {
    it('used a password, both tokens and the refresh secret of every login', () => {
      // Guards the next tests against passing because there was nothing to find.
      expect(secrets.length).toBeGreaterThan(26);
      expect(secrets.every((s) => s.length >= 12)).toBe(true);
    });

    it('never writes a password, token or refresh secret to the logs', () => {
      expect(logs.text.length).toBeGreaterThan(10_000);
      expect(secrets.filter((s) => logs.text.includes(s))).toEqual([]);
    });

    it('never writes a password, token or refresh secret to the audit store', async () => {
      const keys = await keysWithPrefix(`${env.store.keyPrefix}{audit}:`);
      const raw = new Redis(REDIS_URL);
      // Every key of the trail, read whole: events are hashes, indexes sorted sets.
      const read = async (key: string) => {
        const type = await raw.type(key);
        if (type === 'hash') return raw.hgetall(key);
        return type === 'zset' ? raw.zrange(key, '0', '-1') : raw.get(key);
      };
      const entries = await Promise.all(keys.map(async (key) => [key, await read(key)]));
      await raw.quit();
      expect(keys.filter((key) => key.includes('}:e:')).length).toBeGreaterThan(15);
      const stored = JSON.stringify(entries);
      expect(secrets.filter((s) => stored.includes(s))).toEqual([]);
    });
  });
});

describe('audit trail on the memory store', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp(
      testEnvironment({
        REDIS_URL: '',
        BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
        BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      }),
    );
  });
  afterAll(async () => {
    await t.close();
    await cleanUp(t.env);
  });

  it('serves the events of this process, newest first', async () => {
    const user = aUser();
    const registered = await t.http.post('/auth/register', user);
    expect(registered.status).toBe(201);
    const login = { username: user.username, password: user.password };
    expect((await t.http.post('/auth/login', login)).status).toBe(200);
    const admin = await t.http.post('/auth/login', {
      username: ADMIN.email,
      password: ADMIN.password,
    });
    const listed = await t.http.get(`/admin/audit?userId=${registered.body.id}`, {
      token: admin.body.access_token,
    });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((i: { event: string }) => i.event)).toEqual([
      'TOKEN_ISSUED',
      'LOGIN_SUCCESS',
      'USER_CREATED',
    ]);
  });
});
