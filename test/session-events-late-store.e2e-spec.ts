import { setTimeout as sleep } from 'node:timers/promises';
import { expectSocketClosedOnLogout } from './support/flows';
import { RedisServer } from './support/redis-server';
import { cleanUp, startApp, testEnvironment, TestApp } from './support/test-app';
import { until } from './support/wait';

/**
 * Session-ended events reach the sockets (closed within 1 s of a logout, not at the next
 * 15-second re-check) whenever Redis answers: also when it was down while the app started, and
 * after it crashed and came back. The Redis here is a private child process.
 */
describe('session-ended events when the store starts late or restarts', () => {
  let redis: RedisServer;
  let t: TestApp;

  /** Redis answers the app, which then also hears of logouts at once. */
  async function expectCaughtUp(): Promise<void> {
    await until('ready', async () => (await t.http.get('/health/ready')).status === 200);
    await expectSocketClosedOnLogout(t, t, redis.url);
  }

  beforeAll(async () => {
    redis = await RedisServer.onFreePort(); // not started yet
    t = await startApp(testEnvironment({ REDIS_URL: redis.url })); // waits 5 s, then starts
    // Down a while longer after start-up: long enough for the client to give up on a SUBSCRIBE
    // it queued (it fails queued commands after two reconnect attempts, a few 100 ms apart).
    await sleep(1500);
    await redis.resume();
  }, 20_000);

  afterAll(async () => {
    await t?.close();
    if (t) await cleanUp(t.env);
    await redis.dispose();
  });

  it('subscribes once Redis answers, though it was down when the app started', async () => {
    await expectCaughtUp();
  }, 20_000);

  it('subscribes again after Redis was killed and restarted under the running app', async () => {
    await redis.stop('SIGKILL');
    await redis.resume();
    await expectCaughtUp();
  }, 20_000);
});
