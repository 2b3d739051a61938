import { runInThisContext } from 'node:vm';
import { aUser, credentials, UserInput } from './factories/user.factory';
import { answeredWithin, expectProblem, expectStoreUnavailable } from './support/expectations';
import { HttpResponse } from './support/http';
import { RedisServer } from './support/redis-server';
import { cleanUp, startApp, testEnvironment, TestApp } from './support/test-app';

/** A store outage must be answered within this (fail fast, no hanging requests; the contract's 1 s). */
const FAST_MS = 1000;
/** After Redis is back, the service must be ready again within this. */
const RECOVERY_MS = 10_000;

/**
 * The real `process`: the one in a Jest test file is a copy whose listeners never fire, while
 * unhandled rejections are emitted on the real one (where Jest also watches for them).
 */
const realProcess = runInThisContext('process') as NodeJS.Process;

/**
 * Redis goes away under a running service and comes back. Tessera fails closed (503, never
 * "could not check, so let it through"), stays alive, and recovers by itself. The Redis here is
 * a private child process on its own port, so stopping it disturbs nobody.
 */
describe('when the store goes away', () => {
  let redis: RedisServer;
  let t: TestApp;
  let user: UserInput;
  let accessToken: string;
  let refreshToken: string;
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown): void => {
    rejections.push(reason);
  };

  beforeAll(async () => {
    realProcess.on('unhandledRejection', onRejection);
    redis = await RedisServer.start();
    t = await startApp(testEnvironment({ REDIS_URL: redis.url }));
    user = aUser();
    expect((await t.http.post('/auth/register', user)).status).toBe(201);
    const login = await t.http.post('/auth/login', credentials(user));
    expect(login.status).toBe(200);
    ({ access_token: accessToken, refresh_token: refreshToken } = login.body);
    await redis.stop();
  });

  afterAll(async () => {
    realProcess.off('unhandledRejection', onRejection);
    await t.close();
    await cleanUp(t.env);
    await redis.dispose();
  });

  const timed = (request: () => Promise<HttpResponse>) => answeredWithin(FAST_MS, request);

  it('answers authenticated routes, login and refresh with a quick 503 problem', async () => {
    const { http } = t;
    expectStoreUnavailable(await timed(() => http.get('/auth/me', { token: accessToken })));
    expectStoreUnavailable(await timed(() => http.post('/auth/login', credentials(user))));
    expectStoreUnavailable(
      await timed(() => http.post('/auth/refresh', { refresh_token: refreshToken })),
    );
    expectStoreUnavailable(await timed(() => http.post('/auth/register', aUser())));
  });

  it('answers the mail routes with a quick 503 problem, whatever the address or token', async () => {
    // Each is throttled per IP in the store, so the outage answers before any look-up: forgot
    // and resend say 503 for every address alike (the 202 never promised a mail), and a token
    // is neither used up nor reported unknown while the store cannot say.
    const { http } = t;
    const token = `${'0'.repeat(8)}-0000-7000-8000-${'0'.repeat(12)}.${'A'.repeat(43)}`;
    const requests: [string, unknown][] = [
      ['/auth/password/forgot', { email: user.email }],
      ['/auth/password/forgot', { email: 'nobody-here@example.com' }],
      ['/auth/password/reset', { token, newPassword: 'Perfectly-Fine-Password-1' }],
      ['/auth/email/verify', { token }],
      ['/auth/email/verify/resend', { email: user.email }],
      ['/auth/email/verify/resend', { email: 'nobody-here@example.com' }],
    ];
    for (const [path, body] of requests) {
      const response = await timed(() => http.post(path, body));
      expect({ path, status: response.status }).toEqual({ path, status: 503 });
      expectStoreUnavailable(response);
    }
  });

  it('reports not ready, but alive', async () => {
    expectStoreUnavailable(await timed(() => t.http.get('/health/ready')));
    expect((await t.http.get('/health/live')).status).toBe(200);
  });

  it('leaves no unhandled promise rejection behind', async () => {
    await new Promise((resolve) => setTimeout(resolve, 200)); // let stray rejections surface
    expect(rejections).toEqual([]);
  });

  describe('and comes back', () => {
    beforeAll(async () => {
      await redis.resume();
    });

    it('is ready again within seconds, by itself', async () => {
      const deadline = Date.now() + RECOVERY_MS;
      let status = 0;
      while (Date.now() < deadline) {
        status = (await t.http.get('/health/ready')).status;
        if (status === 200) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(status).toBe(200);
    });

    it('signs users in again, and still refuses a token whose session it cannot find', async () => {
      // The restarted Redis is empty (no persistence): the old session is unknown, so its token
      // is refused (fail closed); registering again works, and so does login.
      expectProblem(await t.http.get('/auth/me', { token: accessToken }), 401);
      expect((await t.http.post('/auth/register', user)).status).toBe(201);
      const login = await t.http.post('/auth/login', credentials(user));
      expect(login.status).toBe(200);
      expect((await t.http.get('/auth/me', { token: login.body.access_token })).status).toBe(200);
      expect(rejections).toEqual([]);
    });
  });
});
