import { expectStoreUnavailable } from './support/expectations';
import { LogCapture } from './support/log-capture';
import { RedisServer } from './support/redis-server';
import { cleanUp, startApp, testEnvironment, TestApp } from './support/test-app';

const ADMIN = { email: 'late-admin@example.com', password: 'admin-password-for-a-late-store' };
/** Redis answers within a second of starting (reconnect back-off); retries are 2 s apart at most. */
const CATCH_UP_MS = 8000;

/**
 * Redis down at start-up is not a bad configuration: the service starts anyway, answers 503
 * while it cannot reach the store, and catches up (the bootstrap admin included) once Redis
 * answers. The Redis here is a private child process, started only after the app.
 */
describe('when the store is down at start-up', () => {
  const logs = new LogCapture();
  let redis: RedisServer;
  let t: TestApp;
  const login = () =>
    t.http.post('/auth/login', { username: ADMIN.email, password: ADMIN.password });

  beforeAll(async () => {
    redis = await RedisServer.onFreePort(); // not started yet
    const env = testEnvironment({
      REDIS_URL: redis.url,
      BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    });
    t = await startApp(env, { logDestination: logs.stream }); // waits 5 s for Redis, then starts
  }, 20_000);

  afterAll(async () => {
    await t?.close();
    if (t) await cleanUp(t.env);
    await redis.dispose();
  });

  it('starts, answers 503 where it needs the store, and says the admin will come', async () => {
    expectStoreUnavailable(await t.http.get('/health/ready'));
    expectStoreUnavailable(await login());
    expect(
      logs.messages(/bootstrap admin late-admin will be created once it answers/),
    ).toHaveLength(1);
  });

  it('creates the bootstrap admin once Redis answers, by itself', async () => {
    await redis.resume();
    const deadline = Date.now() + CATCH_UP_MS;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = (await login()).status;
    }
    expect(status).toBe(200);
    expect(logs.messages(/^Created bootstrap admin late-admin$/)).toHaveLength(1);
  }, 20_000);
});
