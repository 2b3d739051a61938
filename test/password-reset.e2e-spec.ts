import { ParsedMail } from 'mailparser';
import { totpCode } from '../src/auth/mfa/totp';
import { randomBytes } from 'node:crypto';
import { parseUserToken } from '../src/auth/user-tokens/user-token';
import { RedisConnection } from '../src/redis/redis.connection';
import { aUser, credentials, UserInput } from './factories/user.factory';
import { expectInvalidToken } from './support/expectations';
import { HttpResponse } from './support/http';
import { LogCapture } from './support/log-capture';
import { linkIn, TestSmtpServer } from './support/smtp-server';
import { cleanUp, startApp, TestApp, testEnvironment } from './support/test-app';
import { until } from './support/wait';

/**
 * Password reset (issue 10.3) over HTTP on two instances of one deployment, with a real SMTP
 * server in this process receiving the mails: forgot → mail → follow its link → reset → every
 * old session dead on both instances, device cookies void, the new password signs in.
 */
const APP_URL = 'https://app.example.com';
const ADMIN = aUser({ email: 'admin@example.com', username: 'admin' });
const PROBLEMS = 'https://tessera.dev/problems/';
const INVALID_RESET = `${PROBLEMS}invalid-reset-token`;
/** LOGIN_MAX_FAILURES=1: one failure locks a (username, IP) pair, 10 lock the username. */
const USERNAME_LOCK = 10;

/** A client IP of its own for every call (TEST-NET ranges, never routed): TRUST_PROXY is on. */
const anIp = () => `198.51.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;
const from = (ip = anIp(), extra: Record<string, string> = {}) => ({
  headers: { 'x-forwarded-for': ip, ...extra },
});

/** The token of the mail's link: what the web app page at APP_URL/reset-password posts. */
function tokenIn(mail: ParsedMail): string {
  const link = linkIn(mail, `${APP_URL}/reset-password?`);
  expect(mail.html).toContain(`href="${link.toString().replace(/&/g, '&amp;')}"`);
  return link.searchParams.get('token') ?? '';
}

/** `name=value` of the device cookie that a login set. */
function deviceCookieOf(response: HttpResponse): string {
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('__Secure-device='));
  if (!cookie) throw new Error('no device cookie was set');
  return cookie.split(';')[0];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return (
    (sorted[Math.floor((sorted.length - 1) / 2)] + sorted[Math.ceil((sorted.length - 1) / 2)]) / 2
  );
}

interface World {
  /** Two instances of one deployment: same Redis key prefix, same keys dir. */
  a: TestApp;
  b: TestApp;
  smtp: TestSmtpServer;
  logs: LogCapture;
  adminToken: () => Promise<string>;
}

function useWorld(overrides: Record<string, string> = {}): () => World {
  let world: World | undefined;
  beforeAll(async () => {
    const smtp = await TestSmtpServer.start();
    const logs = new LogCapture();
    const env = testEnvironment({
      SMTP_URL: smtp.url,
      APP_URL,
      TRUST_PROXY: 'true',
      LOGIN_MAX_FAILURES: '1',
      // Only reset mails reach this SMTP server: each test reads the mails to its user in order.
      EMAIL_VERIFICATION: 'false',
      BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      ...overrides,
    });
    const a = await startApp(env, { logDestination: logs.stream });
    const b = await startApp(env, { logDestination: logs.stream });
    const adminToken = async () => {
      const login = await a.http.post('/auth/login', credentials(ADMIN), from());
      return login.body.access_token as string;
    };
    world = { a, b, smtp, logs, adminToken };
  }, 30_000);
  afterAll(async () => {
    if (!world) return;
    await world.a.close();
    await world.b.close();
    await cleanUp(world.a.env);
    await world.smtp.stop().catch(() => undefined);
  });
  return () => world!;
}

async function register(t: TestApp, user: UserInput = aUser()) {
  const response = await t.http.post('/auth/register', user, from());
  expect(response.status).toBe(201);
  return { user, id: response.body.id as string };
}

const login = (t: TestApp, user: UserInput, password = user.password, headers = from()) =>
  t.http.post('/auth/login', { username: user.username, password }, headers);

const forgot = (t: TestApp, email: string, headers = from()) =>
  t.http.post('/auth/password/forgot', { email }, headers);

const reset = (t: TestApp, token: string, newPassword: string, headers = from()) =>
  t.http.post('/auth/password/reset', { token, newPassword }, headers);

/** Asks for a reset of `user`'s password and returns the token of the mail that follows. */
async function mailedToken(w: World, user: UserInput): Promise<string> {
  const before = w.smtp.mailsTo(user.email).length;
  expect((await forgot(w.a, user.email)).status).toBe(202);
  await until('the reset mail', () => w.smtp.mailsTo(user.email).length > before);
  return tokenIn(w.smtp.mailsTo(user.email)[before]);
}

async function auditOf(w: World, event: string, userId: string) {
  const audit = await w.a.http.get(`/admin/audit?event=${event}&userId=${userId}`, {
    token: await w.adminToken(),
  });
  return audit.body.items as { details: Record<string, unknown>; ip: string | null }[];
}

function expectInvalidReset(response: HttpResponse): void {
  expect(response.status).toBe(400);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ type: INVALID_RESET, title: 'Invalid reset token' });
}

describe('password reset (two instances, Redis)', () => {
  const world = useWorld();

  it('forgot → mail → reset ends every session on both instances, voids device cookies, and the new password signs in', async () => {
    const w = world();
    const { user, id } = await register(w.a);
    // Two sessions, one per instance, and a known device.
    const first = await login(w.a, user);
    const second = await login(w.b, user);
    const device = deviceCookieOf(first);
    const token = await mailedToken(w, user);
    const mail = w.smtp.mailsTo(user.email)[0];
    expect(mail.subject).toBe('Reset your password');
    for (const part of [mail.subject, mail.text, mail.html])
      expect(part).not.toContain(user.username);
    expect(mail.text).toContain('expires in 30 minutes');

    const newPassword = `Reset-${randomBytes(8).toString('base64url')}`;
    const done = await reset(w.b, token, newPassword);
    expect([done.status, done.text]).toEqual([204, '']);

    for (const t of [w.a, w.b]) {
      for (const session of [first, second]) {
        expectInvalidToken(await t.http.get('/auth/me', { token: session.body.access_token }));
        const refresh = { refresh_token: session.body.refresh_token };
        const refreshed = await t.http.post('/auth/refresh', refresh, from());
        expect(refreshed.status).toBe(401);
      }
    }
    expect((await login(w.a, user)).status).toBe(401);
    const signedIn = await login(w.b, user, newPassword);
    expect(signedIn.status).toBe(200);
    expect((await w.a.http.get('/auth/me', { token: signedIn.body.access_token })).status).toBe(
      200,
    );
    // The link works once.
    expectInvalidReset(await reset(w.a, token, `Again-${randomBytes(8).toString('base64url')}`));

    // The device cookie from before the reset no longer passes a username lock; one earned
    // with the new password does (so this check can fail).
    const fresh = deviceCookieOf(signedIn);
    // Wrong passwords from ever new IPs until the username is locked for unknown devices.
    let status = 401;
    for (let i = 0; i <= USERNAME_LOCK && status === 401; i++) {
      status = (await login(w.a, user, 'wrong-password-guess')).status;
    }
    expect(status).toBe(429);
    const withOld = await login(w.a, user, newPassword, from(anIp(), { cookie: device }));
    expect(withOld.status).toBe(429);
    const withFresh = await login(w.a, user, newPassword, from(anIp(), { cookie: fresh }));
    expect(withFresh.status).toBe(200);

    // Recorded after the answer, by the work that looked the account up: waited for, not assumed.
    await until('PASSWORD_RESET_REQUESTED', async () => {
      return (await auditOf(w, 'PASSWORD_RESET_REQUESTED', id)).length > 0;
    });
    const requested = await auditOf(w, 'PASSWORD_RESET_REQUESTED', id);
    expect(requested.map((e) => e.details)).toEqual([{ mailed: true }]);
    const resets = await auditOf(w, 'PASSWORD_RESET', id);
    expect(resets.map((e) => e.details)).toEqual([{ endedSessions: 2 }]);
    const trail = JSON.stringify([...requested, ...resets]);
    expect(trail).not.toContain(user.email);
    expect(trail).not.toContain(token.split('.')[1]);
  });

  it('lets exactly one of two concurrent resets with one token through, one on each instance', async () => {
    const w = world();
    const { user } = await register(w.a);
    const token = await mailedToken(w, user);
    const passwords = [1, 2].map((i) => `Race-${i}-${randomBytes(8).toString('base64url')}`);
    const answers = await Promise.all([
      reset(w.a, token, passwords[0]),
      reset(w.b, token, passwords[1]),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([204, 400]);
    const winner = passwords[answers.findIndex((r) => r.status === 204)];
    const loser = passwords[answers.findIndex((r) => r.status === 400)];
    expectInvalidReset(answers.find((r) => r.status === 400)!);
    expect((await login(w.a, user, winner)).status).toBe(200);
    expect((await login(w.a, user, loser)).status).toBe(401);
  });

  it('refuses a token voided by a password change through POST /auth/password', async () => {
    const w = world();
    const { user } = await register(w.a);
    const token = await mailedToken(w, user);
    const session = await login(w.a, user);
    const changed = `Changed-${randomBytes(8).toString('base64url')}`;
    const change = { currentPassword: user.password, newPassword: changed };
    const answer = await w.a.http.post('/auth/password', change, {
      token: session.body.access_token,
      ...from(),
    });
    expect(answer.status).toBe(204);
    expectInvalidReset(await reset(w.b, token, `Reset-${randomBytes(8).toString('base64url')}`));
    expect((await login(w.a, user, changed)).status).toBe(200);
  });

  it('never lets a reset and a password change racing each other both win', async () => {
    const w = world();
    for (let trial = 0; trial < 8; trial++) {
      const { user } = await register(w.a);
      const token = await mailedToken(w, user);
      const session = await login(w.a, user);
      expect(session.status).toBe(200);
      const viaReset = `Reset-${randomBytes(8).toString('base64url')}`;
      const viaChange = `Changed-${randomBytes(8).toString('base64url')}`;
      const [byReset, byChange] = await Promise.all([
        reset(w.b, token, viaReset),
        w.a.http.post(
          '/auth/password',
          { currentPassword: user.password, newPassword: viaChange },
          { token: session.body.access_token, ...from() },
        ),
      ]);
      // Each one writes only over the password it read: whichever lands second finds it changed.
      expect([byReset.status, byChange.status]).not.toEqual([204, 204]);
      const final = byReset.status === 204 ? viaReset : byChange.status === 204 ? viaChange : null;
      for (const password of [user.password, viaReset, viaChange]) {
        const expected = password === (final ?? user.password) ? 200 : 401;
        expect({ trial, password, status: (await login(w.a, user, password)).status }).toEqual({
          trial,
          password,
          status: expected,
        });
      }
    }
  });

  it('keeps a token 30 minutes in the store; once the store let it expire it is refused', async () => {
    const w = world();
    const { user, id } = await register(w.a);
    const token = await mailedToken(w, user);
    const redis = w.a.app.get(RedisConnection).client;
    const key = `{u:${id}}:pr:${parseUserToken(token)!.hash}`;
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(29 * 60_000);
    expect(ttl).toBeLessThanOrEqual(30 * 60_000);
    await redis.pexpire(key, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expectInvalidReset(await reset(w.a, token, `Reset-${randomBytes(8).toString('base64url')}`));
    expect((await login(w.a, user)).status).toBe(200);
  });

  it('refuses a deactivated user’s token like an unknown one, and sets nothing', async () => {
    const w = world();
    const { user, id } = await register(w.a);
    const token = await mailedToken(w, user);
    const admin = { token: await w.adminToken() };
    expect((await w.a.http.patch(`/users/${id}`, { active: false }, admin)).status).toBe(200);
    expectInvalidReset(await reset(w.a, token, `Reset-${randomBytes(8).toString('base64url')}`));
    expect((await w.a.http.patch(`/users/${id}`, { active: true }, admin)).status).toBe(200);
    expect((await login(w.a, user)).status).toBe(200);
  });

  it.each([
    ['garbage', 'not-a-token'],
    [
      'a well-formed token nobody issued',
      `${'0'.repeat(8)}-0000-7000-8000-${'0'.repeat(12)}.${'A'.repeat(43)}`,
    ],
  ])('refuses %s with 400 invalid-reset-token', async (_what, token) => {
    expectInvalidReset(await reset(world().a, token, 'Perfectly-Fine-Password-1'));
  });

  it('answers a bad new password with the policy errors in one 400 and leaves the token usable', async () => {
    const w = world();
    const { user } = await register(w.a);
    const token = await mailedToken(w, user);
    const tooShort = await reset(w.a, token, 'short');
    expect(tooShort.status).toBe(400);
    expect(tooShort.body).toMatchObject({
      type: `${PROBLEMS}validation-failed`,
      errors: [{ field: 'newPassword', message: 'password must be 12 to 128 characters long' }],
    });
    // Only the service knows the user: the policy's "not your username" after the token checked.
    const ownName = await reset(w.a, token, user.username.toUpperCase());
    expect(ownName.status).toBe(400);
    expect(ownName.body).toMatchObject({
      type: `${PROBLEMS}validation-failed`,
      errors: [{ field: 'newPassword', message: 'password must not be your email or username' }],
    });
    const both = await w.a.http.post('/auth/password/reset', { newPassword: 'short' }, from());
    const fields = both.body.errors.map((e: { field: string }) => e.field) as string[];
    expect([...new Set(fields)].sort()).toEqual(['newPassword', 'token']);
    const good = `Reset-${randomBytes(8).toString('base64url')}`;
    expect((await reset(w.a, token, good)).status).toBe(204);
    expect((await login(w.a, user, good)).status).toBe(200);
  });

  it('answers an unknown email exactly like a known one: status, body, headers, and time', async () => {
    const w = world();
    const { user } = await register(w.a);
    const known = await forgot(w.a, user.email);
    const unknown = await forgot(w.a, `nobody-${randomBytes(4).toString('hex')}@example.com`);
    const comparable = (r: HttpResponse) => {
      const headers = [...r.headers.entries()].filter(
        ([name]) => !['date', 'x-request-id'].includes(name),
      );
      return { status: r.status, text: r.text, headers };
    };
    expect(comparable(unknown)).toEqual(comparable(known));
    expect(known.status).toBe(202);
    expect(known.text).toBe('');

    // Medians of 20, interleaved: the look-up and the mail happen after the answer. Twenty
    // accounts, one request each: one account asked 20 times would send nothing past its 3 mails
    // an hour, and the known side would not be the path that mails.
    const accounts: UserInput[] = [];
    for (let i = 0; i < 20; i++) accounts.push((await register(w.a)).user);
    const nobodies = accounts.map((_, i) => `nobody-${i}-${randomBytes(4).toString('hex')}@x.com`);
    const times: Record<'known' | 'unknown', number[]> = { known: [], unknown: [] };
    for (let i = 0; i < 20; i++) {
      for (const kind of ['known', 'unknown'] as const) {
        const email = kind === 'known' ? accounts[i].email : nobodies[i];
        const started = performance.now();
        expect((await forgot(w.a, email)).status).toBe(202);
        times[kind].push(performance.now() - started);
      }
    }
    const [k, u] = [median(times.known), median(times.unknown)];
    expect(Math.max(k, u) / Math.min(k, u)).toBeLessThan(1.5);
    // Every known request took the path that mails (so the time above is that path's), and the
    // addresses with no account got nothing.
    const mailed = () => accounts.filter((a) => w.smtp.mailsTo(a.email).length === 1).length;
    await until('a reset mail to each of the 20 accounts', () => mailed() === 20);
    expect(nobodies.flatMap((email) => w.smtp.mailsTo(email))).toEqual([]);
  });

  it('mails an account at most 3 links an hour, from any IP and any spelling of its email', async () => {
    const w = world();
    const { user, id } = await register(w.a);
    const spellings = [user.email, user.email.toUpperCase(), `U${user.email.slice(1)}`];
    for (let i = 0; i < 5; i++) {
      expect((await forgot(i % 2 ? w.b : w.a, spellings[i % spellings.length])).status).toBe(202);
    }
    await until('three mails', () => w.smtp.mailsTo(user.email).length === 3);
    await until('five requests audited', async () => {
      return (await auditOf(w, 'PASSWORD_RESET_REQUESTED', id)).length === 5;
    });
    expect(w.smtp.mailsTo(user.email)).toHaveLength(3);
    const mailed = (await auditOf(w, 'PASSWORD_RESET_REQUESTED', id)).map((e) => e.details.mailed);
    expect(mailed.filter(Boolean)).toHaveLength(3);
  });

  it('neither turns off nor satisfies a second factor: the next login still asks for a code', async () => {
    const w = world();
    const { user } = await register(w.a);
    const token = (await login(w.a, user)).body.access_token as string;
    const secret = (await w.a.http.post('/auth/mfa/totp', undefined, { token })).body
      .secret as string;
    const code = totpCode(secret, Date.now());
    const on = await w.a.http.post(
      '/auth/mfa/totp/confirm',
      { password: user.password, code },
      { token },
    );
    expect(on.status).toBe(200);
    const fresh = `${user.password}-reset`;
    expect((await reset(w.b, await mailedToken(w, user), fresh)).status).toBe(204);
    const next = await login(w.a, user, fresh);
    expect(next.status).toBe(403);
    expect(next.body.type).toBe('https://tessera.dev/problems/mfa-required');
    expect(next.body.access_token).toBeUndefined();
  });

  it('writes no token, link or address of the flow in any log line', async () => {
    const w = world();
    const { user } = await register(w.a);
    const token = await mailedToken(w, user);
    await reset(w.a, token, 'short');
    await reset(w.a, token, `Reset-${randomBytes(8).toString('base64url')}`);
    await reset(w.a, token, `Reset-${randomBytes(8).toString('base64url')}`);
    expect(w.logs.text).toContain('Mail sent');
    expect(w.logs.text).not.toContain(token.split('.')[1]);
    expect(w.logs.text).not.toContain('reset-password?token');
    expect(w.logs.text).not.toContain(user.email);
  });
});

describe('password reset: throttled per IP', () => {
  const world = useWorld();

  it('answers 429 with Retry-After past 20 forgot requests a minute from one IP', async () => {
    const w = world();
    const ip = anIp();
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      statuses.push((await forgot(w.a, `nobody-${i}@example.com`, from(ip))).status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 202)).toBe(true);
    expect(statuses[20]).toBe(429);
    const other = await forgot(w.a, 'x@example.com', from());
    expect(other.status).toBe(202);
  });

  it('answers 429 with Retry-After past 30 reset attempts a minute from one IP', async () => {
    const w = world();
    const ip = anIp();
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      statuses.push(
        (await reset(w.a, 'not-a-token', 'Perfectly-Fine-Password-1', from(ip))).status,
      );
    }
    expect(statuses.slice(0, 30).every((s) => s === 400)).toBe(true);
    const last = await reset(w.a, 'not-a-token', 'Perfectly-Fine-Password-1', from(ip));
    expect([statuses[30], last.status]).toEqual([429, 429]);
    expect(last.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});

describe('password reset: a shutdown right after forgot', () => {
  it('still mails the link and records PASSWORD_RESET_REQUESTED of a request answered just before', async () => {
    const smtp = await TestSmtpServer.start();
    const env = testEnvironment({
      SMTP_URL: smtp.url,
      APP_URL,
      TRUST_PROXY: 'true',
      EMAIL_VERIFICATION: 'false',
      BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    });
    const first = await startApp(env);
    let open = [first];
    try {
      const { user, id } = await register(first);
      expect((await forgot(first, user.email)).status).toBe(202);
      // At once: the look-up, the token, the mail and the audit event are still to come.
      await first.close();
      open = [];
      await until('the reset mail', () => smtp.mailsTo(user.email).length === 1);
      const next = await startApp(env);
      open = [next];
      const admin = await next.http.post('/auth/login', credentials(ADMIN), from());
      const audit = await next.http.get(
        `/admin/audit?event=PASSWORD_RESET_REQUESTED&userId=${id}`,
        {
          token: admin.body.access_token,
        },
      );
      expect(audit.body.items.map((e: { details: unknown }) => e.details)).toEqual([
        { mailed: true },
      ]);
    } finally {
      for (const t of open) await t.close();
      await cleanUp(first.env);
      await smtp.stop().catch(() => undefined);
    }
  });
});

describe('PASSWORD_RESET=false', () => {
  const world = useWorld({ PASSWORD_RESET: 'false', REDIS_URL: '' });

  it('serves neither route (404) and sends no mail', async () => {
    const w = world();
    const { user } = await register(w.a);
    const answers = [
      await forgot(w.a, user.email),
      await reset(w.a, 'x', 'Perfectly-Fine-Password-1'),
    ];
    expect(answers.map((r) => [r.status, r.body.type])).toEqual([
      [404, `${PROBLEMS}not-found`],
      [404, `${PROBLEMS}not-found`],
    ]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(w.smtp.mailsTo(user.email)).toEqual([]);
  });
});
