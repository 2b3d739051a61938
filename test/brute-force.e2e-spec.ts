import { randomBytes } from 'node:crypto';
import { PasswordHasher } from '../src/users/password-hasher';
import { aUser, UserInput } from './factories/user.factory';
import { expectProblem } from './support/expectations';
import { HttpResponse } from './support/http';
import { cleanUp, startApp, testEnvironment, TestApp } from './support/test-app';

const MAX_FAILURES = 5;
const USERNAME_LIMIT = MAX_FAILURES * 10;
const IP_LIMIT = 8;

/** A client IP of its own for every call (TEST-NET ranges, never routed). */
/** A client address no other test of this file has used (random draws could meet a locked one). */
let nextIp = randomBytes(2).readUInt16BE(0);
const anIp = () => {
  nextIp = (nextIp + 1) % 65_536;
  return `198.51.${nextIp >> 8}.${nextIp & 255}`;
};
const from = (ip: string, cookie?: string) => ({
  headers: { 'x-forwarded-for': ip, ...(cookie ? { cookie } : {}) },
});

function expectLocked(response: HttpResponse): void {
  expectProblem(response, 429);
  const retryAfter = response.headers.get('retry-after') ?? '';
  expect(retryAfter).toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(retryAfter)).toBeLessThanOrEqual(900);
}

/** `name=value` of the device cookie that a login set. */
function deviceCookieOf(response: HttpResponse): string {
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('__Secure-device='));
  if (!cookie) throw new Error('no device cookie was set');
  return cookie.split(';')[0];
}

describe('brute-force defence (Redis store, TRUST_PROXY=true)', () => {
  let t: TestApp;
  const env = testEnvironment({ TRUST_PROXY: 'true', LOGIN_IP_MAX_FAILURES: String(IP_LIMIT) });

  beforeAll(async () => {
    t = await startApp(env);
  });
  afterAll(async () => {
    await t.close();
    await cleanUp(t.env);
  });

  async function registered(): Promise<UserInput> {
    const user = aUser();
    expect((await t.http.post('/auth/register', user, from(anIp()))).status).toBe(201);
    return user;
  }

  const login = (t_: TestApp, username: string, password: string, ip: string, cookie?: string) =>
    t_.http.post('/auth/login', { username, password }, from(ip, cookie));

  async function failTimes(username: string, ip: string, times: number, cookie?: string) {
    for (let i = 0; i < times; i++) {
      expectProblem(await login(t, username, 'wrong-password-guess', ip, cookie), 401);
    }
  }

  /** Locks the username for untrusted clients: 10 attacker IPs × 5 failures each. */
  async function lockUsername(username: string): Promise<void> {
    for (let i = 0; i < USERNAME_LIMIT / MAX_FAILURES; i++) {
      await failTimes(username, anIp(), MAX_FAILURES);
    }
  }

  it('answers 429 with Retry-After to a (username, IP) pair after 5 failures, even with the right password', async () => {
    const user = await registered();
    const ip = anIp();
    await failTimes(user.username, ip, MAX_FAILURES);
    const locked = await login(t, user.username, user.password, ip);
    expectLocked(locked);
    expect(locked.headers.get('set-cookie')).toBeNull();
  });

  it('checks the lock before argon2: a locked pair runs no password hash', async () => {
    const user = await registered();
    const ip = anIp();
    await failTimes(user.username, ip, MAX_FAILURES);
    const hasher = t.app.get(PasswordHasher);
    const verify = jest.spyOn(hasher, 'verify');
    const dummy = jest.spyOn(hasher, 'verifyDummy');
    try {
      expectLocked(await login(t, user.username, user.password, ip));
      expectLocked(await login(t, user.username.toUpperCase(), user.password, ip));
      expect(verify.mock.calls.length + dummy.mock.calls.length).toBe(0);
    } finally {
      verify.mockRestore();
      dummy.mockRestore();
    }
  });

  it('locks an unknown username the same way, with the same body', async () => {
    const ghost = `ghost_${randomBytes(4).toString('hex')}`;
    const [ghostIp, userIp] = [anIp(), anIp()];
    const user = await registered();
    await failTimes(ghost, ghostIp, MAX_FAILURES);
    await failTimes(user.username, userIp, MAX_FAILURES);
    const ghostLocked = await login(t, ghost, 'whatever-password', ghostIp);
    const userLocked = await login(t, user.username, user.password, userIp);
    expectLocked(ghostLocked);
    expect(ghostLocked.body).toEqual(userLocked.body);
  });

  it('normalises the username: case and surrounding spaces count on the same pair', async () => {
    const user = await registered();
    const ip = anIp();
    const spellings = [user.username.toUpperCase(), ` ${user.username}`, `${user.username} `];
    for (const spelling of [...spellings, user.username, user.username]) {
      expectProblem(await login(t, spelling, 'wrong-password-guess', ip), 401);
    }
    expectLocked(await login(t, user.username, user.password, ip));
  });

  it('does not lock the same username from another IP', async () => {
    const user = await registered();
    await failTimes(user.username, anIp(), MAX_FAILURES);
    expect((await login(t, user.username, user.password, anIp())).status).toBe(200);
  });

  it('forgets the pair failures after a successful login', async () => {
    const user = await registered();
    const ip = anIp();
    await failTimes(user.username, ip, MAX_FAILURES - 1);
    expect((await login(t, user.username, user.password, ip)).status).toBe(200);
    // Without the reset these would make 7 failures on the pair (locked at 5); the IP's own
    // counter (limit 8 here) keeps the failures (a success only takes itself back), so stay below.
    await failTimes(user.username, ip, MAX_FAILURES - 2);
    expect((await login(t, user.username, user.password, ip)).status).toBe(200);
  });

  it('stops one IP spraying many usernames at LOGIN_IP_MAX_FAILURES', async () => {
    const sprayer = anIp();
    for (let i = 0; i < IP_LIMIT; i++) {
      expectProblem(
        await login(t, `sprayed_${i}_${randomBytes(3).toString('hex')}`, 'x'.repeat(12), sprayer),
        401,
      );
    }
    const user = await registered();
    expectLocked(
      await login(t, `fresh_${randomBytes(3).toString('hex')}`, 'x'.repeat(12), sprayer),
    );
    expectLocked(await login(t, user.username, user.password, sprayer));
    expect((await login(t, user.username, user.password, anIp())).status).toBe(200);
  });

  it('lets a known device log in while attackers on other IPs have locked the username', async () => {
    const victim = await registered();
    const first = await login(t, victim.username, victim.password, anIp());
    expect(first.status).toBe(200);
    const device = deviceCookieOf(first);
    const setCookie = first.headers.getSetCookie().find((c) => c.startsWith('__Secure-device='));
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/Secure/);
    expect(setCookie).toMatch(/SameSite=Strict/);

    await lockUsername(victim.username);
    expectLocked(await login(t, victim.username, victim.password, anIp()));
    const known = await login(t, victim.username, victim.password, anIp(), device);
    expect(known.status).toBe(200);
    // Signing in by email counts for the same account, so the same device is known there too.
    const byEmail = await login(t, victim.email, victim.password, anIp(), deviceCookieOf(known));
    expect(byEmail.status).toBe(200);
  });

  it('counts a known device’s own failures per device and then treats it as unknown', async () => {
    const victim = await registered();
    const device = deviceCookieOf(await login(t, victim.username, victim.password, anIp()));
    await lockUsername(victim.username);
    // Its failures count on the device, not on the (locked) username, and always from new IPs.
    for (let i = 0; i < MAX_FAILURES; i++) {
      expectProblem(await login(t, victim.username, 'wrong-password-guess', anIp(), device), 401);
    }
    expectLocked(await login(t, victim.username, victim.password, anIp(), device));
  });

  it('gives a forged, tampered or foreign device cookie no bypass', async () => {
    const victim = await registered();
    const other = await registered();
    const device = deviceCookieOf(await login(t, victim.username, victim.password, anIp()));
    const foreign = deviceCookieOf(await login(t, other.username, other.password, anIp()));
    await lockUsername(victim.username);
    const [name, value] = device.split('=');
    const parts = value.split('.');
    const tamperedMac = `${name}=${parts.slice(0, 3).join('.')}.${'A'.repeat(43)}`;
    const laterExpiry = `${name}=${parts[0]}.${parts[1]}.99999999999.${parts[3]}`;
    for (const cookie of [tamperedMac, laterExpiry, foreign, `${name}=garbage`]) {
      expectLocked(await login(t, victim.username, victim.password, anIp(), cookie));
    }
  });

  it('admits at most 5 of 30 concurrent wrong passwords to argon2; the rest get 429', async () => {
    const user = await registered();
    const ip = anIp();
    const verify = jest.spyOn(t.app.get(PasswordHasher), 'verify');
    try {
      const answers = await Promise.all(
        Array.from({ length: 30 }, () => login(t, user.username, 'wrong-password-guess', ip)),
      );
      const unauthorized = answers.filter((a) => a.status === 401);
      const locked = answers.filter((a) => a.status !== 401);
      expect(unauthorized.length).toBeLessThanOrEqual(MAX_FAILURES);
      expect(unauthorized.length + locked.length).toBe(30);
      locked.forEach(expectLocked);
      expect(verify.mock.calls.length).toBeLessThanOrEqual(MAX_FAILURES);
    } finally {
      verify.mockRestore();
    }
    expectLocked(await login(t, user.username, user.password, ip));
  });

  it('counts the username and the email of one account on one budget', async () => {
    const user = await registered();
    const ip = anIp();
    await failTimes(user.username, ip, MAX_FAILURES);
    const byEmail = await login(t, user.email, user.password, ip);
    expectLocked(byEmail);
    // Same body as any other lock: nothing tells which login was counted.
    const [ghostName, ghostIp] = [`ghost_${randomBytes(4).toString('hex')}`, anIp()];
    await failTimes(ghostName, ghostIp, MAX_FAILURES);
    const ghost = await login(t, ghostName, 'x'.repeat(12), ghostIp);
    expect(ghost.body).toEqual(byEmail.body);
  });

  it('never counts a real user’s successful logins as failures', async () => {
    const user = await registered();
    const ip = anIp();
    // More successes than the pair, per-user and per-IP limits: each one is taken back.
    for (let i = 0; i < IP_LIMIT + 2; i++) {
      expect((await login(t, user.username, user.password, ip)).status).toBe(200);
    }
    await failTimes(user.username, ip, MAX_FAILURES);
    expectLocked(await login(t, user.username, user.password, ip));
  });

  it('locks the current-password check of POST /auth/password like a login', async () => {
    const user = await registered();
    const ip = anIp();
    const session = await login(t, user.username, user.password, anIp());
    const change = (currentPassword: string) =>
      t.http.post(
        '/auth/password',
        { currentPassword, newPassword: `${user.password}-changed` },
        { token: session.body.access_token, ...from(ip) },
      );
    for (let i = 0; i < MAX_FAILURES; i++) {
      expectProblem(await change('wrong-password-guess'), 401);
    }
    const verify = jest.spyOn(t.app.get(PasswordHasher), 'verify');
    try {
      expectLocked(await change(user.password));
      expect(verify).not.toHaveBeenCalled();
    } finally {
      verify.mockRestore();
    }
    // The password is unchanged.
    expect((await login(t, user.username, user.password, anIp())).status).toBe(200);
  });

  it('keeps the counters in the store: a second instance on the same Redis sees the lock', async () => {
    const second = await startApp({ ...env, JWT_KEYS_DIR: t.env.jwt.keysDir });
    try {
      const user = await registered();
      const ip = anIp();
      await failTimes(user.username, ip, MAX_FAILURES);
      expectLocked(await login(second, user.username, user.password, ip));
      expect((await login(second, user.username, user.password, anIp())).status).toBe(200);
    } finally {
      await second.close();
    }
  });

  it('throttles register per client IP with a problem+json 429 and a plain Retry-After', async () => {
    const ip = anIp();
    for (let i = 0; i < 60; i++) {
      expectProblem(await t.http.post('/auth/register', {}, from(ip)), 400);
    }
    const throttled = await t.http.post('/auth/register', aUser(), from(ip));
    expectLocked(throttled);
    expect(Number(throttled.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect([...throttled.headers.keys()].filter((h) => h.startsWith('retry-after'))).toEqual([
      'retry-after',
    ]);
    expect((await t.http.post('/auth/register', aUser(), from(anIp()))).status).toBe(201);
  });
});

describe('brute-force defence without TRUST_PROXY', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp(testEnvironment({ TRUST_PROXY: 'false' }));
  });
  afterAll(async () => {
    await t.close();
    await cleanUp(t.env);
  });

  it('ignores X-Forwarded-For: a client cannot escape its pair lock by naming another IP', async () => {
    const user = aUser();
    expect((await t.http.post('/auth/register', user)).status).toBe(201);
    for (let i = 0; i < MAX_FAILURES; i++) {
      const response = await t.http.post(
        '/auth/login',
        { username: user.username, password: 'wrong-password-guess' },
        from(anIp()),
      );
      expectProblem(response, 401);
    }
    const locked = await t.http.post(
      '/auth/login',
      { username: user.username, password: user.password },
      from(anIp()),
    );
    expectLocked(locked);
  });
});
