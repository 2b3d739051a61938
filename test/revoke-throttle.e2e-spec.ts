import { THROTTLE_LIMITS } from '../src/throttle/throttle.limits';
import { expectProblem } from './support/expectations';
import { cleanUp, startApp, testEnvironment, TestApp } from './support/test-app';

describe('POST /auth/revoke throttling', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp(testEnvironment());
  });
  afterAll(async () => {
    await t.close();
    await cleanUp(t.env);
  });

  it('answers 429 with Retry-After once a client passes the per-minute limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < THROTTLE_LIMITS.revoke; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, () => t.http.post('/auth/revoke', { token: 'not-a-token' })),
      );
      statuses.push(...batch.map((r) => r.status));
    }
    expect(statuses.every((s) => s === 200)).toBe(true);
    const over = await t.http.post('/auth/revoke', { token: 'not-a-token' });
    expectProblem(over, 429);
    expect(over.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
