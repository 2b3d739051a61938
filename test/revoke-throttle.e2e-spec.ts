import { THROTTLE_LIMITS } from '../src/throttle/throttle.limits';
import { expectProblem } from './support/expectations';
import { useTestApp } from './support/test-app';

describe('POST /auth/revoke throttling', () => {
  const app = useTestApp();

  it('answers 429 with Retry-After once a client passes the per-minute limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < THROTTLE_LIMITS.revoke; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, () => app().http.post('/auth/revoke', { token: 'not-a-token' })),
      );
      statuses.push(...batch.map((r) => r.status));
    }
    expect(statuses.every((s) => s === 200)).toBe(true);
    const over = await app().http.post('/auth/revoke', { token: 'not-a-token' });
    expectProblem(over, 429);
    expect(over.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
