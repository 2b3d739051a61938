import { aUser, credentials, UserInput } from './factories/user.factory';
import { answeredWithin, expectStoreUnavailable } from './support/expectations';
import { Http, HttpResponse } from './support/http';
import { RedisServer } from './support/redis-server';
import { cleanUp, startApp, testEnvironment, TestApp } from './support/test-app';

/** While the store does not answer, every request that needs it is answered within this. */
const ANSWER_MS = 1000;
/** Once the store answers again, the service is ready again within this. */
const RECOVERY_MS = 2000;

/** A mailed token of the right shape that nobody issued, and a password the policy takes. */
const A_TOKEN = `${'0'.repeat(8)}-0000-7000-8000-${'0'.repeat(12)}.${'A'.repeat(43)}`;
const A_PASSWORD = 'Perfectly-Fine-Password-1';

interface Tokens {
  access: string;
  refresh: string;
}

/** The routes that need the store, in the order a client would hit them. */
const ROUTES: [string, (http: Http, user: UserInput, tokens: Tokens) => Promise<HttpResponse>][] = [
  ['GET /auth/me', (http, _user, tokens) => http.get('/auth/me', { token: tokens.access })],
  ['POST /auth/login', (http, user) => http.post('/auth/login', credentials(user))],
  [
    'POST /auth/refresh',
    (http, _user, tokens) => http.post('/auth/refresh', { refresh_token: tokens.refresh }),
  ],
  ['POST /auth/register', (http) => http.post('/auth/register', aUser())],
  [
    'POST /auth/password/forgot',
    (http, user) => http.post('/auth/password/forgot', { email: user.email }),
  ],
  [
    'POST /auth/password/reset',
    (http) => http.post('/auth/password/reset', { token: A_TOKEN, newPassword: A_PASSWORD }),
  ],
  ['POST /auth/email/verify', (http) => http.post('/auth/email/verify', { token: A_TOKEN })],
  [
    'POST /auth/email/verify/resend',
    (http, user) => http.post('/auth/email/verify/resend', { email: user.email }),
  ],
  ['GET /health/ready', (http) => http.get('/health/ready')],
];

/**
 * A hung Redis (SIGSTOP: connections stay open, nothing answers, as in a network partition) must
 * not hang the service: the first command that times out opens the store's circuit, so every
 * request answers 503 at once instead of waiting out one command timeout per store call. The Redis
 * here is a private child process on its own port, so freezing it disturbs nobody.
 */
describe('when the store hangs', () => {
  let redis: RedisServer;
  let t: TestApp;
  let user: UserInput;
  let tokens: Tokens;

  beforeAll(async () => {
    redis = await RedisServer.start();
    t = await startApp(testEnvironment({ REDIS_URL: redis.url }));
    user = aUser();
    expect((await t.http.post('/auth/register', user)).status).toBe(201);
    const login = await t.http.post('/auth/login', credentials(user));
    expect(login.status).toBe(200);
    tokens = { access: login.body.access_token, refresh: login.body.refresh_token };
    redis.freeze();
  });

  afterAll(async () => {
    redis.thaw();
    await t.close();
    await cleanUp(t.env);
    await redis.dispose();
  });

  async function expectQuick503(request: () => Promise<HttpResponse>): Promise<void> {
    expectStoreUnavailable(await answeredWithin(ANSWER_MS, request));
  }

  it.each(ROUTES)('answers %s with a 503 problem within 1 s', async (_name, request) => {
    await expectQuick503(() => request(t.http, user, tokens));
  });

  it('keeps answering within 1 s while the store stays frozen and probes go unanswered', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (const [, request] of ROUTES) await expectQuick503(() => request(t.http, user, tokens));
  });

  describe('and answers again', () => {
    let thawedAt: number;
    beforeAll(() => {
      redis.thaw();
      thawedAt = performance.now();
    });

    it('is ready again within 2 s, by itself', async () => {
      let status = 0;
      while (performance.now() - thawedAt < RECOVERY_MS) {
        status = (await t.http.get('/health/ready')).status;
        if (status === 200) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(status).toBe(200);
      expect(performance.now() - thawedAt).toBeLessThan(RECOVERY_MS);
    });

    it('serves the same session again: its access token, a refresh and a new login', async () => {
      expect((await t.http.get('/auth/me', { token: tokens.access })).status).toBe(200);
      const refreshed = await t.http.post('/auth/refresh', { refresh_token: tokens.refresh });
      expect(refreshed.status).toBe(200);
      expect((await t.http.post('/auth/login', credentials(user))).status).toBe(200);
    });
  });
});
