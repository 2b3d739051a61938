import { Redis } from 'ioredis';
import { createDecipheriv, hkdfSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { aUser } from './factories/user.factory';
import { expectInvalidToken, expectProblem } from './support/expectations';
import { HttpResponse } from './support/http';
import { keysWithPrefix, REDIS_URL } from './support/redis';
import { TestApp, useTestApp, useTwoInstances } from './support/test-app';
import { until } from './support/wait';

const PROBLEMS = 'https://tessera.dev/problems/';
const ADMIN = { email: 'ops@example.com', password: 'ops-password-for-tests-only' };

/** A signed-in client: its pair and its device cookie (`name=value`), as a browser keeps them. */
interface Client {
  tokens: { access_token: string; refresh_token: string };
  device: string;
}

function deviceCookieOf(response: HttpResponse): string {
  const cookie = response.headers.getSetCookie().find((c) => /^__Secure-device=[^;]/.test(c));
  if (!cookie) throw new Error('no device cookie was set');
  return cookie.split(';')[0];
}

async function signIn(t: TestApp, user = aUser()): Promise<Client> {
  await t.http.post('/auth/register', user);
  const login = await t.http.post('/auth/login', {
    username: user.username,
    password: user.password,
  });
  expect(login.status).toBe(200);
  return { tokens: login.body, device: deviceCookieOf(login) };
}

/** A refresh with the token in the body, from a client holding `device` (or no device cookie). */
const refresh = (t: TestApp, token: string, device?: string) =>
  t.http.post(
    '/auth/refresh',
    { refresh_token: token },
    device ? { headers: { cookie: device } } : {},
  );

/**
 * Opens a kept grace answer as whoever has a copy of the store and the used refresh token would
 * try: AES-256-GCM under HKDF-SHA256 of the token's secret, with `salt` (empty: no server key).
 * The plain answer, or null when it does not open.
 */
function openOffline(sealed: string, presented: string, context: string, salt: Buffer) {
  const [, iv, body] = sealed.split('.');
  const data = Buffer.from(body, 'base64url');
  const secret = Buffer.from(presented.slice(presented.lastIndexOf('.') + 1), 'base64url');
  for (const info of ['tessera refresh-grace v1', 'tessera refresh-grace v2']) {
    const key = Buffer.from(hkdfSync('sha256', secret, salt, info, 32));
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
      .setAAD(Buffer.from(context))
      .setAuthTag(data.subarray(data.length - 16));
    try {
      const plain = decipher.update(data.subarray(0, data.length - 16));
      return JSON.parse(Buffer.concat([plain, decipher.final()]).toString()) as {
        response: { refresh_token: string };
      };
    } catch {
      // not this derivation
    }
  }
  return null;
}

/** The session of `client` has ended: its newest tokens are refused. */
async function expectEnded(t: TestApp, ...pairs: Client['tokens'][]): Promise<void> {
  for (const pair of pairs) {
    expectInvalidToken(await t.http.get('/auth/me', { token: pair.access_token }));
    expectProblem(await refresh(t, pair.refresh_token), 401);
  }
}

describe('refresh grace window (REFRESH_REUSE_GRACE_SECONDS=5), two instances on Redis', () => {
  const apps = useTwoInstances({
    REFRESH_REUSE_GRACE_SECONDS: '5',
    BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
  });
  let a: TestApp;
  let b: TestApp;
  beforeAll(() => ([a, b] = apps));

  it('sets the device cookie for /auth, so refresh receives it, and clears the one of /auth/login', async () => {
    const user = aUser();
    await a.http.post('/auth/register', user);
    const login = await a.http.post('/auth/login', {
      username: user.username,
      password: user.password,
    });
    const device = login.headers.getSetCookie().filter((c) => c.startsWith('__Secure-device='));
    expect(device).toHaveLength(2);
    expect(device[0]).toMatch(/; Path=\/auth(;|$)/);
    expect(device[0]).toMatch(/HttpOnly/);
    expect(device[0]).toMatch(/Secure/);
    expect(device[0]).toMatch(/SameSite=Strict/);
    expect(device[1]).toMatch(/^__Secure-device=;.*Path=\/auth\/login/);
  });

  it('gives 20 concurrent refreshes of one token by one client, over both instances, one new pair', async () => {
    const client = await signIn(a);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        refresh(i % 2 ? b : a, client.tokens.refresh_token, client.device),
      ),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
    const pairs = new Set(answers.map((r) => `${r.body.access_token} ${r.body.refresh_token}`));
    expect(pairs.size).toBe(1);
    const next = answers[0].body;
    expect((await b.http.get('/auth/me', { token: next.access_token })).status).toBe(200);
    // The new refresh token is the session's current one: it rotates once more, normally.
    const onwards = await refresh(a, next.refresh_token, client.device);
    expect(onwards.status).toBe(200);
    expect(onwards.body.refresh_token).not.toBe(next.refresh_token);
  });

  it('gives the same pair through the refresh cookie too (a browser tab that raced another)', async () => {
    const client = await signIn(a);
    const cookie = `__Secure-refresh_token=${client.tokens.refresh_token}; ${client.device}`;
    const viaCookie = () => a.http.post('/auth/refresh', {}, { headers: { cookie } });
    const [one, two] = await Promise.all([viaCookie(), viaCookie()]);
    expect([one.status, two.status]).toEqual([200, 200]);
    expect(two.body.access_token).toBe(one.body.access_token);
    expect(two.body.refresh_token).toBe(one.body.refresh_token);
  });

  it.each([
    ['no device cookie', () => undefined],
    ['the device cookie of another sign-in', (_: Client, other: Client) => other.device],
    ['a device cookie made up', () => '__Secure-device=not-a-device-cookie'],
  ])('ends the session when the used token comes back with %s', async (_, deviceOf) => {
    const user = aUser();
    const client = await signIn(a, user);
    const other = await signIn(a, user);
    const used = await refresh(a, client.tokens.refresh_token, client.device);
    expect(used.status).toBe(200);
    const replays = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        refresh(i % 2 ? b : a, client.tokens.refresh_token, deviceOf(client, other)),
      ),
    );
    expect(replays.every((r) => r.status === 401)).toBe(true);
    expect(replays.map((r) => r.body.type)).toContain(`${PROBLEMS}refresh-token-reused`);
    await expectEnded(b, used.body);
    // The other sign-in is another session: it lives on.
    expect((await a.http.get('/auth/me', { token: other.tokens.access_token })).status).toBe(200);
  });

  it('ends the session when two clients race one token, and no pair handed out works after', async () => {
    const user = aUser();
    const client = await signIn(a, user);
    const thief = await signIn(b, user);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        refresh(i % 2 ? b : a, client.tokens.refresh_token, i < 10 ? client.device : thief.device),
      ),
    );
    const handedOut = answers.filter((r) => r.status === 200).map((r) => r.body);
    expect(answers.map((r) => r.body.type)).toContain(`${PROBLEMS}refresh-token-reused`);
    await expectEnded(a, ...handedOut);
  });

  it('keeps no usable token in Redis: only the answer sealed by the used token', async () => {
    const client = await signIn(a);
    const next = (await refresh(a, client.tokens.refresh_token, client.device)).body;
    const keys = await keysWithPrefix(a.env.store.keyPrefix);
    const grace = keys.filter((k) => k.endsWith(`:g:${next.session_id}`));
    expect(grace).toHaveLength(1);
    const raw = new Redis(REDIS_URL);
    const kept = await raw.hgetall(grace[0]);
    const ttl = await raw.pttl(grace[0]);
    await raw.quit();
    expect(kept.sealed).toMatch(/^v2\./);
    const secrets = [next.refresh_token, next.access_token, client.tokens.refresh_token];
    const values = Object.values(kept).join(' ');
    for (const part of secrets.flatMap((s) => s.split('.'))) expect(values).not.toContain(part);
    expect(values).not.toContain(client.device.split('=')[1]);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5000);
  });

  it('keeps the answer so that a copy of Redis and the used refresh token do not open it (review L4)', async () => {
    const client = await signIn(a);
    const next = (await refresh(b, client.tokens.refresh_token, client.device)).body;
    const keys = await keysWithPrefix(a.env.store.keyPrefix);
    const raw = new Redis(REDIS_URL);
    const kept = await raw.hgetall(keys.find((k) => k.endsWith(`:g:${next.session_id}`)) ?? '');
    await raw.quit();
    const context = `${next.session_id}.${kept.client}`;
    const used = client.tokens.refresh_token;
    expect(openOffline(kept.sealed, used, context, Buffer.alloc(0))).toBeNull();
    // The development key both instances share (JWT_KEYS_DIR; REFRESH_GRACE_KEY in production)
    // is the missing part: with it, the answer opens, and it is the pair handed out.
    const file = join(a.env.jwt.keysDir, 'refresh-grace.key');
    const serverKey = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    expect(openOffline(kept.sealed, used, context, serverKey)?.response.refresh_token).toBe(
      next.refresh_token,
    );
  });

  it('audits a repeated answer as TOKEN_REFRESHED marked repeated, and the first one unmarked', async () => {
    const client = await signIn(a);
    const [one, two] = await Promise.all([
      refresh(a, client.tokens.refresh_token, client.device),
      refresh(b, client.tokens.refresh_token, client.device),
    ]);
    expect([one.status, two.status]).toEqual([200, 200]);
    const userId = (await a.http.get('/auth/me', { token: two.body.access_token })).body.id;
    const admin = (
      await a.http.post('/auth/login', { username: ADMIN.email, password: ADMIN.password })
    ).body.access_token;
    let items: { details: { repeated?: boolean } }[] = [];
    await until('two TOKEN_REFRESHED events', async () => {
      const query = `?userId=${userId}&event=TOKEN_REFRESHED`;
      items = (await a.http.get(`/admin/audit${query}`, { token: admin })).body.items;
      return items.length === 2;
    });
    expect(items.map((i) => i.details.repeated ?? false).sort()).toEqual([false, true]);
  });
});

describe('refresh grace window (REFRESH_REUSE_GRACE_SECONDS=1): after the window', () => {
  const app = useTestApp({ REFRESH_REUSE_GRACE_SECONDS: '1' });

  it('ends the session when the same client brings the used token back after the window', async () => {
    const client = await signIn(app());
    const used = await refresh(app(), client.tokens.refresh_token, client.device);
    expect(used.status).toBe(200);
    await sleep(1200);
    const late = await refresh(app(), client.tokens.refresh_token, client.device);
    expectProblem(late, 401);
    expect(late.body.type).toBe(`${PROBLEMS}refresh-token-reused`);
    await expectEnded(app(), used.body);
  });
});

describe('refresh grace window on the in-memory store, REFRESH_GRACE_KEY set', () => {
  const app = useTestApp({
    REFRESH_REUSE_GRACE_SECONDS: '5',
    REDIS_URL: undefined,
    REFRESH_GRACE_KEY: Buffer.alloc(32, 9).toString('base64'),
  });

  it('seals with the configured key: no development key file is made', async () => {
    const client = await signIn(app());
    expect((await refresh(app(), client.tokens.refresh_token, client.device)).status).toBe(200);
    expect(existsSync(join(app().env.jwt.keysDir, 'refresh-grace.key'))).toBe(false);
  });

  it('gives 20 concurrent refreshes of one token by one client one new pair', async () => {
    const client = await signIn(app());
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => refresh(app(), client.tokens.refresh_token, client.device)),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(new Set(answers.map((r) => r.body.refresh_token)).size).toBe(1);
    expect(new Set(answers.map((r) => r.body.access_token)).size).toBe(1);
  });

  it('ends the session when another client brings the used token back', async () => {
    const client = await signIn(app());
    const used = await refresh(app(), client.tokens.refresh_token, client.device);
    expectProblem(await refresh(app(), client.tokens.refresh_token), 401);
    await expectEnded(app(), used.body);
  });
});

describe('without a grace window (the default)', () => {
  const app = useTestApp();

  it('ends the session when the same client, device cookie and all, sends a used token again', async () => {
    const client = await signIn(app());
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => refresh(app(), client.tokens.refresh_token, client.device)),
    );
    expect(answers.filter((r) => r.status === 200)).toHaveLength(1);
    expect(answers.map((r) => r.body.type)).toContain(`${PROBLEMS}refresh-token-reused`);
    await expectEnded(app(), ...answers.filter((r) => r.status === 200).map((r) => r.body));
  });
});
