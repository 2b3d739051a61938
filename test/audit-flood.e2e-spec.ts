import { Agent, request } from 'node:http';
import { aUser } from './factories/user.factory';
import { expectInvalidToken, expectProblem } from './support/expectations';
import { TestApp, useTwoInstances } from './support/test-app';

const ADMIN = { email: 'flood-auditor@example.com', password: 'admin-password-for-flood-tests' };
/** More bad tokens than the newest-5 000 window the filters used to scan. */
const FLOOD = 6_000;
const CONCURRENCY = 64;
/** What the trail keeps of one client's refusals per window: the first ones and one summary. */
const RECORDED_ON_THEIR_OWN = 10;

interface Item {
  event: string;
  userId: string | null;
  severity: string;
  details: Record<string, unknown>;
}

/**
 * GET /auth/me with a garbage bearer token, `count` times, `CONCURRENCY` at a time, spread
 * over the apps' ports; returns every status seen. Plain node:http with keep-alive: about
 * twice as fast as fetch, so the flood takes seconds.
 */
async function floodWithBadTokens(ports: number[], count: number): Promise<Set<number>> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const send = (i: number) =>
    new Promise<number>((resolve, reject) => {
      const headers = { authorization: `Bearer garbage-${i}` };
      const options = { host: '127.0.0.1', port: ports[i % ports.length], path: '/auth/me' };
      const sent = request({ ...options, headers, agent }, (response) => {
        response.resume().on('end', () => resolve(response.statusCode ?? 0));
      });
      sent.on('error', reject).end();
    });
  const statuses = new Set<number>();
  let next = 0;
  const worker = async () => {
    while (next < count) statuses.add(await send(next++));
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker)).finally(() => agent.destroy());
  return statuses;
}

/**
 * Issue 7, point 9: anonymous bad-token noise must neither hide nor evict a security event. Two
 * instances on one Redis share the flood, so the per-client aggregation is counted across both.
 */
describe('audit trail under a flood of bad tokens (two instances, redis store)', () => {
  const apps = useTwoInstances({
    BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
  });
  let a: TestApp;
  let b: TestApp;
  let admin: string;
  let victimId: string;

  beforeAll(async () => {
    [a, b] = apps;
    victimId = await reuseARefreshToken();
    expectInvalidToken(await a.http.get('/auth/me', { token: 'garbage' }));
    const ports = [a, b].map((t) => (t.app.getHttpServer().address() as { port: number }).port);
    expect([...(await floodWithBadTokens(ports, FLOOD - 1))]).toEqual([401]);
    admin = (await a.http.post('/auth/login', { username: ADMIN.email, password: ADMIN.password }))
      .body.access_token;
  }, 60_000);

  /** Login, refresh, then the old refresh token again: REFRESH_REUSE_DETECTED for the victim. */
  async function reuseARefreshToken(): Promise<string> {
    const victim = aUser();
    const registered = await a.http.post('/auth/register', victim);
    expect(registered.status).toBe(201);
    const login = { username: victim.username, password: victim.password };
    const first = (await a.http.post('/auth/login', login)).body;
    const refresh = { refresh_token: first.refresh_token };
    expect((await a.http.post('/auth/refresh', refresh)).status).toBe(200);
    expectProblem(await b.http.post('/auth/refresh', refresh), 401);
    return registered.body.id as string;
  }

  const audit = async (query: string): Promise<Item[]> => {
    const response = await b.http.get(`/admin/audit${query}`, { token: admin });
    expect(response.status).toBe(200);
    return response.body.items as Item[];
  };

  /** The appends run after the responses: wait until `check` holds, or fail with its last error. */
  async function eventually(check: () => Promise<void>, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await check();
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  it('still finds the REFRESH_REUSE_DETECTED by event type', async () => {
    const found = await audit('?event=REFRESH_REUSE_DETECTED');
    expect(found).toEqual([
      expect.objectContaining({ event: 'REFRESH_REUSE_DETECTED', userId: victimId }),
    ]);
    expect(found[0].severity).toBe('critical');
  });

  it("still finds it in the victim's trail, and in both filters together", async () => {
    const mine = await audit(`?userId=${victimId}&limit=100`);
    expect(mine.map((i) => i.event)).toContain('REFRESH_REUSE_DETECTED');
    expect(mine.every((i) => i.userId === victimId)).toBe(true);
    const both = await audit(`?userId=${victimId}&event=REFRESH_REUSE_DETECTED`);
    expect(both).toHaveLength(1);
  });

  it('keeps the first refusals of the client and one summary that counts all the others', async () => {
    await eventually(async () => {
      const invalid = await audit('?event=TOKEN_INVALID&limit=100');
      expect(invalid).toHaveLength(RECORDED_ON_THEIR_OWN + 1);
      const [summary, ...single] = invalid;
      expect(summary.details).toEqual({
        reason: 'malformed token',
        summary: true,
        count: FLOOD - RECORDED_ON_THEIR_OWN,
        windowSeconds: 60,
      });
      expect(single.every((i) => i.details.summary === undefined)).toBe(true);
    });
  });

  it('shows the security event in the unfiltered trail next to the aggregated noise', async () => {
    const all = await audit('?limit=100');
    expect(all.map((i) => i.event)).toContain('REFRESH_REUSE_DETECTED');
    expect(all.filter((i) => i.event === 'TOKEN_INVALID')).toHaveLength(RECORDED_ON_THEIR_OWN + 1);
  });
});
