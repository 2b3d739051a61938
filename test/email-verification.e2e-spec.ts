import { ParsedMail } from 'mailparser';
import { UserPatch } from '../src/users/user';
import { UserStore } from '../src/users/user.store';
import { aUser, credentials, UserInput } from './factories/user.factory';
import { LogCapture } from './support/log-capture';
import { linkIn, TestSmtpServer } from './support/smtp-server';
import { cleanUp, startApp, TestApp, testEnvironment } from './support/test-app';
import { until } from './support/wait';

/**
 * Email verification (issue 10.2) over HTTP, with a real SMTP server in this process receiving
 * the mails: register → mail → follow its link → verified → login. No mocked transport.
 */
const APP_URL = 'https://app.example.com';
const ADMIN = aUser({ email: 'admin@example.com', username: 'admin' });
const PROBLEMS = 'https://tessera.dev/problems/';

function claimsOf(accessToken: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()) as Record<
    string,
    unknown
  >;
}

/** The token of the mail's link: what the web app page at APP_URL/verify-email posts. */
function tokenIn(mail: ParsedMail): string {
  const link = linkIn(mail, `${APP_URL}/verify-email?`);
  expect(mail.html).toContain(`href="${link.toString().replace(/&/g, '&amp;')}"`);
  return link.searchParams.get('token') ?? '';
}

interface World {
  t: TestApp;
  smtp: TestSmtpServer;
  logs: LogCapture;
  adminToken: () => Promise<string>;
}

function useWorld(overrides: Record<string, string> = {}, smtpUp = true): () => World {
  let world: World | undefined;
  beforeAll(async () => {
    const smtp = await TestSmtpServer.start();
    const url = smtp.url;
    if (!smtpUp) await smtp.stop();
    const logs = new LogCapture();
    const env = testEnvironment({
      SMTP_URL: url,
      APP_URL,
      MAIL_RETRY_DELAY_MS: '20',
      MAIL_MAX_ATTEMPTS: '2',
      BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      ...overrides,
    });
    const t = await startApp(env, { logDestination: logs.stream });
    const adminToken = async () => {
      const login = await t.http.post('/auth/login', credentials(ADMIN));
      return login.body.access_token as string;
    };
    world = { t, smtp, logs, adminToken };
  });
  afterAll(async () => {
    if (!world) return;
    await world.t.close();
    await cleanUp(world.t.env);
    await world.smtp.stop().catch(() => undefined);
  });
  return () => world!;
}

async function register(w: World, user: UserInput = aUser()) {
  const response = await w.t.http.post('/auth/register', user);
  expect(response.status).toBe(201);
  return { user, id: response.body.id as string, view: response.body as Record<string, unknown> };
}

async function userView(w: World, id: string) {
  const response = await w.t.http.get(`/users/${id}`, { token: await w.adminToken() });
  return response.body as Record<string, unknown>;
}

describe('email verification', () => {
  const world = useWorld();

  it('mails a link on registration; following it verifies the email, in the user and the token', async () => {
    const w = world();
    const { user, id, view } = await register(w);
    expect(view.emailVerified).toBe(false);
    const mail = await w.smtp.mailTo(user.email);
    expect(mail.subject).toBe('Confirm your email address');
    expect(mail.from?.value).toEqual([{ address: 'no-reply@localhost', name: 'Tessera' }]);
    // The registrant picks the username; the mail goes to an address they may not own.
    expect(mail.text).toMatch(/^Hello,\n/);
    for (const part of [mail.subject, mail.text, mail.html])
      expect(part).not.toContain(user.username);
    const before = await w.t.http.post('/auth/login', credentials(user));
    expect(claimsOf(before.body.access_token)).toMatchObject({ email_verified: false });

    const verified = await w.t.http.post('/auth/email/verify', { token: tokenIn(mail) });
    expect(verified.status).toBe(204);
    expect(await userView(w, id)).toMatchObject({ emailVerified: true });
    const after = await w.t.http.post('/auth/login', credentials(user));
    expect(claimsOf(after.body.access_token)).toMatchObject({ email_verified: true });
    // A session from before catches up at its next refresh.
    const refreshed = await w.t.http.post('/auth/refresh', {
      refresh_token: before.body.refresh_token,
    });
    expect(claimsOf(refreshed.body.access_token)).toMatchObject({ email_verified: true });

    const audit = await w.t.http.get(`/admin/audit?event=EMAIL_VERIFIED&userId=${id}`, {
      token: await w.adminToken(),
    });
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0].details).toEqual({});
  });

  it('takes a token once: the link used again is refused like an unknown one', async () => {
    const w = world();
    const { user } = await register(w);
    const token = tokenIn(await w.smtp.mailTo(user.email));
    expect((await w.t.http.post('/auth/email/verify', { token })).status).toBe(204);
    const again = await w.t.http.post('/auth/email/verify', { token });
    expect(again.status).toBe(400);
    expect(again.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(again.body).toMatchObject({ type: `${PROBLEMS}invalid-verification-token` });
    expect(again.text).not.toContain(token);
  });

  it.each([
    ['garbage', 'not-a-token'],
    [
      'a well-formed token nobody issued',
      `${'0'.repeat(8)}-0000-7000-8000-${'0'.repeat(12)}.${'A'.repeat(43)}`,
    ],
  ])('refuses %s with 400 invalid-verification-token', async (_what, token) => {
    const response = await world().t.http.post('/auth/email/verify', { token });
    expect(response.status).toBe(400);
    expect(response.body.type).toBe(`${PROBLEMS}invalid-verification-token`);
  });

  it.each([[{}], [{ token: 42 }], [{ token: 'x'.repeat(201) }]])(
    'refuses the body %j with 400 validation-failed',
    async (body) => {
      const response = await world().t.http.post('/auth/email/verify', body);
      expect(response.status).toBe(400);
      expect(response.body.type).toBe(`${PROBLEMS}validation-failed`);
    },
  );

  it('voids the tokens of an email the account no longer has', async () => {
    const w = world();
    const { user, id } = await register(w);
    const token = tokenIn(await w.smtp.mailTo(user.email));
    // No route changes an email yet; whatever path does, a token for the old address must die.
    const patch = { email: `changed-${user.email}` } as unknown as UserPatch;
    await w.t.app.get<UserStore>(UserStore).update(id, patch, new Date().toISOString());
    const response = await w.t.http.post('/auth/email/verify', { token });
    expect(response.status).toBe(400);
    expect(response.body.type).toBe(`${PROBLEMS}invalid-verification-token`);
    expect(await userView(w, id)).toMatchObject({ emailVerified: false });
  });

  it('refuses the token of a deactivated user like an unknown one, and marks nothing', async () => {
    const w = world();
    const { user, id } = await register(w);
    const token = tokenIn(await w.smtp.mailTo(user.email));
    const admin = { token: await w.adminToken() };
    const patched = await w.t.http.patch(`/users/${id}`, { active: false }, admin);
    expect(patched.status).toBe(200);
    const response = await w.t.http.post('/auth/email/verify', { token });
    expect(response.status).toBe(400);
    expect(response.body.type).toBe(`${PROBLEMS}invalid-verification-token`);
    expect(await userView(w, id)).toMatchObject({ active: false, emailVerified: false });
  });

  it('resends to an unverified account, and answers every address the same 202 with no body', async () => {
    const w = world();
    const { user } = await register(w);
    await w.smtp.mailTo(user.email);
    const answers = await Promise.all(
      [user.email, 'nobody-here@example.com', ADMIN.email].map((email) =>
        w.t.http.post('/auth/email/verify/resend', { email }),
      ),
    );
    expect(answers.map((a) => [a.status, a.text])).toEqual([
      [202, ''],
      [202, ''],
      [202, ''],
    ]);
    await until('the second mail', () => w.smtp.mailsTo(user.email).length === 2);
    // The new link works; the admin (verified by configuration) and nobody got nothing.
    const token = tokenIn(w.smtp.mailsTo(user.email)[1]);
    expect((await w.t.http.post('/auth/email/verify', { token })).status).toBe(204);
    expect(w.smtp.mailsTo('nobody-here@example.com')).toEqual([]);
    expect(w.smtp.mailsTo(ADMIN.email)).toEqual([]);
  });

  it('sends an account at most 3 resends an hour, from any IP, still answering 202', async () => {
    const w = world();
    const { user } = await register(w);
    await w.smtp.mailTo(user.email);
    for (let i = 0; i < 5; i++) {
      const answer = await w.t.http.post('/auth/email/verify/resend', { email: user.email });
      expect(answer.status).toBe(202);
    }
    await until('three more mails', () => w.smtp.mailsTo(user.email).length === 4);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(w.smtp.mailsTo(user.email)).toHaveLength(4);
  });

  it('never writes a token or link in a log line', async () => {
    const w = world();
    const { user } = await register(w);
    const mail = await w.smtp.mailTo(user.email);
    await w.t.http.post('/auth/email/verify', { token: tokenIn(mail) });
    const secret = tokenIn(mail).split('.')[1];
    expect(w.logs.text).toContain('Mail sent');
    expect(w.logs.text).not.toContain(secret);
    expect(w.logs.text).not.toContain('verify-email?token');
  });
});

describe('email verification: resend throttled per IP', () => {
  const world = useWorld();

  it('answers 429 with Retry-After past 20 requests a minute from one IP', async () => {
    const w = world();
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      const email = `nobody-${i}@example.com`;
      statuses.push((await w.t.http.post('/auth/email/verify/resend', { email })).status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 202)).toBe(true);
    const last = await w.t.http.post('/auth/email/verify/resend', { email: 'x@example.com' });
    expect(statuses[20]).toBe(429);
    expect(last.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});

describe('REQUIRE_VERIFIED_EMAIL=true', () => {
  const world = useWorld({ REQUIRE_VERIFIED_EMAIL: 'true', REDIS_URL: '' });

  it('refuses an unverified login only once the password checked out, then lets it in once verified', async () => {
    const w = world();
    const { user } = await register(w);
    const wrong = await w.t.http.post('/auth/login', {
      ...credentials(user),
      password: 'wrong-password-1',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.type).toBe(`${PROBLEMS}invalid-credentials`);
    const refused = await w.t.http.post('/auth/login', credentials(user));
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      type: `${PROBLEMS}email-not-verified`,
      title: 'Email not verified',
      status: 403,
    });
    expect(refused.body.access_token).toBeUndefined();
    const token = tokenIn(await w.smtp.mailTo(user.email));
    await w.t.http.post('/auth/email/verify', { token });
    const login = await w.t.http.post('/auth/login', credentials(user));
    expect(login.status).toBe(200);
    expect(claimsOf(login.body.access_token)).toMatchObject({ email_verified: true });
  });

  it('lets the bootstrap admin in: its address is vouched for by the operator', async () => {
    const login = await world().t.http.post('/auth/login', credentials(ADMIN));
    expect(login.status).toBe(200);
  });
});

describe('email verification with the SMTP relay down', () => {
  const world = useWorld({ REDIS_URL: '' }, false);

  it('still registers at once; the mail is retried, given up and audited, and no token is logged', async () => {
    const w = world();
    const started = Date.now();
    const { id } = await register(w);
    expect(Date.now() - started).toBeLessThan(2000);
    let events: Record<string, unknown>[] = [];
    await until('MAIL_FAILED in the trail', async () => {
      const audit = await w.t.http.get(`/admin/audit?event=MAIL_FAILED&userId=${id}`, {
        token: await w.adminToken(),
      });
      events = audit.body.items as Record<string, unknown>[];
      return events.length === 1;
    });
    expect(events[0].details).toEqual({
      mail: 'email-verification',
      attempts: 2,
      reason: 'ESOCKET',
    });
    expect(w.logs.messages(/^Mail not sent; retrying$/)).toHaveLength(1);
    expect(w.logs.text).not.toMatch(new RegExp(`${id}\\.[A-Za-z0-9_-]{43}`));
    expect(w.logs.text).not.toContain('token=');
  });
});

describe('EMAIL_VERIFICATION=false', () => {
  const world = useWorld({ EMAIL_VERIFICATION: 'false', REDIS_URL: '' });

  it('sends no mail on registration and serves neither route (404)', async () => {
    const w = world();
    const { user } = await register(w);
    const verify = await w.t.http.post('/auth/email/verify', { token: 'x' });
    const resend = await w.t.http.post('/auth/email/verify/resend', { email: user.email });
    expect([verify.status, resend.status]).toEqual([404, 404]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(w.smtp.mails).toEqual([]);
  });
});
