import { randomBytes } from 'node:crypto';
import { aUser } from './factories/user.factory';
import { expectProblem } from './support/expectations';
import { cleanUp, startApp, testEnvironment, TestApp } from './support/test-app';

const ADMIN = { email: 'root@example.com', password: 'admin-password-for-tests-only' };
const ROUNDS = 20;

/** A fresh client IP per attempt, so brute-force counters never interfere with the timing. */
const anIp = () => `203.0.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return (sorted[Math.floor(middle - 0.5)] + sorted[Math.ceil(middle - 0.5)]) / 2;
}

describe('login does not reveal which accounts exist', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp(
      testEnvironment({
        TRUST_PROXY: 'true',
        BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
        BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      }),
    );
  });
  afterAll(async () => {
    await t.close();
    await cleanUp(t.env);
  });

  const post = (path: string, body: unknown, token?: string) =>
    t.http.post(path, body, { token, headers: { 'x-forwarded-for': anIp() } });

  it('answers an unknown user, a wrong password and a deactivated user alike, in body and time', async () => {
    const [known, deactivated] = [aUser(), aUser()];
    expect((await post('/auth/register', known)).status).toBe(201);
    const created = await post('/auth/register', deactivated);
    const admin = await post('/auth/login', { username: 'root', password: ADMIN.password });
    const patch = await t.http.patch(
      `/users/${created.body.id}`,
      { active: false },
      { token: admin.body.access_token },
    );
    expect(patch.body.active).toBe(false);

    const cases = {
      unknown: { username: `nobody_${randomBytes(4).toString('hex')}`, password: known.password },
      wrongPassword: { username: known.username, password: `${known.password}-not` },
      deactivated: { username: deactivated.username, password: deactivated.password },
    };
    const times: Record<keyof typeof cases, number[]> = {
      unknown: [],
      wrongPassword: [],
      deactivated: [],
    };
    const bodies = new Set<string>();
    // Interleaved, so drift in machine load spreads over all three cases alike.
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, body] of Object.entries(cases) as [keyof typeof cases, object][]) {
        const started = performance.now();
        const response = await post('/auth/login', body);
        times[name].push(performance.now() - started);
        expectProblem(response, 401);
        bodies.add(JSON.stringify(response.body));
      }
    }

    expect([...bodies]).toEqual([expect.stringContaining('Invalid credentials')]);
    const medians = Object.values(times).map(median);
    expect(Math.max(...medians) / Math.min(...medians)).toBeLessThan(2);
  });
});
