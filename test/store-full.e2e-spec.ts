import { Redis } from 'ioredis';
import { aUser, UserInput } from './factories/user.factory';
import { expectProblem } from './support/expectations';
import { LogCapture } from './support/log-capture';
import { RedisServer } from './support/redis-server';
import { cleanUp, startApp, testEnvironment, TestApp } from './support/test-app';

const ADMIN = { email: 'full-store-admin@example.com', password: 'admin-password-for-full-store' };

/**
 * Fills Redis up: lowers maxmemory below what it already holds, so under `noeviction` every write
 * is refused with OOM from now on, as on a Redis that grew to its limit. (Filling it with values
 * is not stable: the filling client's own buffers count, and closing it frees room again.)
 */
async function fillUp(url: string): Promise<void> {
  const raw = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    await raw.config('SET', 'maxmemory', '1');
    await expect(raw.set('one-more', 'x')).rejects.toThrow(/^OOM/);
  } finally {
    raw.disconnect();
  }
}

/**
 * A full Redis (maxmemory reached under `noeviction`) answers every write with an OOM error. That
 * is an outage of the store, answered 503 like any other, not a 500 whose log line carries the
 * failed command's arguments (a user's JSON with its argon2 hash). The Redis here is a private
 * child process, so filling it up disturbs nobody.
 */
describe('when the store is full', () => {
  const logs = new LogCapture();
  let redis: RedisServer;
  let t: TestApp;
  let user: UserInput;
  let adminToken: string;

  beforeAll(async () => {
    redis = await RedisServer.start(['--maxmemory-policy', 'noeviction']);
    const env = testEnvironment({
      REDIS_URL: redis.url,
      BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    });
    t = await startApp(env, { logDestination: logs.stream });
    user = aUser();
    expect((await t.http.post('/auth/register', user)).status).toBe(201);
    const login = await t.http.post('/auth/login', {
      username: ADMIN.email,
      password: ADMIN.password,
    });
    expect(login.status).toBe(200);
    adminToken = login.body.access_token;
    await fillUp(redis.url);
  });

  afterAll(async () => {
    await t.close();
    await cleanUp(t.env);
    await redis.dispose();
  });

  it('answers register and login with a 503 problem, not a 500', async () => {
    expectProblem(await t.http.post('/auth/register', aUser()), 503);
    const credentials = { username: user.username, password: user.password };
    expectProblem(await t.http.post('/auth/login', credentials), 503);
  });

  it('answers an admin creating a user (a write carrying its argon2 hash) with a 503 problem', async () => {
    const created = await t.http.post('/users', aUser(), { token: adminToken });
    expectProblem(created, 503);
  });

  it('logs no password hash and no argument of a failed command', () => {
    expect(logs.messages(/request completed/).length).toBeGreaterThan(0);
    expect(logs.text).not.toMatch(/argon2/i);
    // Every key the service sends starts with its prefix: no key in the log, no argument.
    expect(logs.text).not.toContain(t.env.store.keyPrefix);
    expect(logs.text).not.toContain('"args"');
  });

  it('stays ready: a full Redis still answers, so the circuit stays closed', async () => {
    expect((await t.http.get('/health/ready')).status).toBe(200);
  });
});
