import { setTimeout as sleep } from 'node:timers/promises';
import { AuditEventType } from '../src/audit/audit-event';
import { AuditService } from '../src/audit/audit.service';
import { Clock } from '../src/common/time/clock';
import { validateEnv } from '../src/config/env.validation';
import { KeyRotation, RotationResult } from '../src/tokens/key-rotation';
import { aUser } from './factories/user.factory';
import { expectInvalidToken } from './support/expectations';
import { cleanUp, startApp, TestApp, testEnvironment } from './support/test-app';

/** The `kid` in a compact JWS header. */
const kidOf = (token: string): string =>
  JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).kid;

async function until(check: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(25);
  }
}

describe('signing key rotation across two instances sharing a keys dir and Redis', () => {
  // Retention = max(access TTL, 60 s tickets) + skew = 60 s; the clock is moved, never slept.
  const environment = testEnvironment({ JWT_ACCESS_TTL: '30', JWT_CLOCK_SKEW: '0' });
  const user = aUser();
  let first: TestApp;
  let second: TestApp;
  let before: { token: string; kid: string };
  let rotation: RotationResult;

  const login = async (app: TestApp) => {
    const response = await app.http.post('/auth/login', {
      username: user.username,
      password: user.password,
    });
    expect(response.status).toBe(200);
    return response.body.access_token as string;
  };
  const jwksKids = async (app: TestApp) =>
    ((await app.http.get('/.well-known/jwks.json')).body.keys as { kid: string }[]).map(
      (k) => k.kid,
    );

  beforeAll(async () => {
    first = await startApp(environment);
    second = await startApp(environment);
    expect((await first.http.post('/auth/register', user)).status).toBe(201);
    const token = await login(first);
    before = { token, kid: kidOf(token) };
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await Promise.all([first?.close(), second?.close()]);
    await cleanUp(validateEnv(environment));
  });

  it('starts both instances on one and the same key', async () => {
    expect(await jwksKids(first)).toEqual([before.kid]);
    expect(await jwksKids(second)).toEqual([before.kid]);
  });

  it('publishes the new key on every instance before any instance signs with it', async () => {
    // The CLI's code path (npm run keys:rotate runs KeyRotation.rotate in a standalone context).
    rotation = await first.app.get(KeyRotation).rotate({ activateInSeconds: 2 });
    await until(async () => (await jwksKids(second)).includes(rotation.kid));
    await until(async () => (await jwksKids(first)).includes(rotation.kid));
    expect(Date.now()).toBeLessThan(Date.parse(rotation.activatesAt));
    expect(await jwksKids(second)).toEqual([rotation.kid, before.kid]);
  });

  it('signs with the new key on both instances once it activates, without a restart', async () => {
    await sleep(Math.max(0, Date.parse(rotation.activatesAt) - Date.now()) + 50);
    const fromSecond = await login(second);
    const fromFirst = await login(first);
    expect([kidOf(fromFirst), kidOf(fromSecond)]).toEqual([rotation.kid, rotation.kid]);
    expect((await first.http.get('/auth/me', { token: fromSecond })).status).toBe(200);
    expect((await second.http.get('/auth/me', { token: fromFirst })).status).toBe(200);
  });

  it('keeps accepting a token signed before the rotation, and lists both keys', async () => {
    expect((await first.http.get('/auth/me', { token: before.token })).status).toBe(200);
    expect((await second.http.get('/auth/me', { token: before.token })).status).toBe(200);
    expect(await jwksKids(first)).toEqual([rotation.kid, before.kid]);
  });

  it('records KEY_ROTATED in the shared audit trail', async () => {
    const events = await second.app
      .get(AuditService)
      .list({ event: AuditEventType.KeyRotated, limit: 10 });
    expect(events.map((e) => e.details)).toEqual([
      {
        kid: rotation.kid,
        alg: 'RS256',
        previousKid: before.kid,
        activatesAt: rotation.activatesAt,
      },
    ]);
  });

  it('drops the old key once no token it signed can be valid, and refuses its tokens', async () => {
    const retired = Date.parse(rotation.activatesAt);
    let now = retired + 60_000 - 1; // retention: max(30 s access, 60 s tickets) + 0 s skew
    for (const app of [first, second]) {
      jest.spyOn(app.app.get<Clock>(Clock), 'now').mockImplementation(() => now);
    }
    expect(await jwksKids(first)).toEqual([rotation.kid, before.kid]);
    now += 1;
    expect(await jwksKids(first)).toEqual([rotation.kid]);
    expect(await jwksKids(second)).toEqual([rotation.kid]);
    const refused = await second.http.get('/auth/me', { token: before.token });
    expectInvalidToken(refused);
    // Refused for its key, before the claims are even looked at.
    expect(refused.headers.get('www-authenticate')).toContain('unknown kid');
  });
});
