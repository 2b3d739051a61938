import { aUser, credentials } from './factories/user.factory';
import { LogCapture } from './support/log-capture';
import { cleanUp, startApp, testEnvironment, TestApp } from './support/test-app';

type Line = Record<string, unknown> & { msg: string; reqId?: string };

/**
 * What operators rely on in the logs: one line per request with its id, and every other line
 * written while a request runs (audit events, Nest's own logs) carrying the same id.
 */
describe('request logs', () => {
  const logs = new LogCapture();
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp(testEnvironment(), { logDestination: logs.stream });
  });
  afterAll(async () => {
    await t.close();
    await cleanUp(t.env);
  });

  const lines = (): Line[] =>
    logs.text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Line);

  it('ties each audit line to its request line by the request id, and never repeats a key', async () => {
    const user = aUser();
    expect((await t.http.post('/auth/register', user)).status).toBe(201);
    expect((await t.http.post('/auth/login', credentials(user))).status).toBe(200);
    const audit = lines().find((l) => l.msg === 'audit LOGIN_SUCCESS');
    expect(audit?.reqId).toMatch(/^[0-9a-f-]{36}$/);
    expect((audit?.audit as { requestId: string }).requestId).toBe(audit?.reqId);
    const request = lines().find((l) => l.msg === 'request completed' && l.reqId === audit?.reqId);
    expect(request).toMatchObject({ req: { method: 'POST', url: '/auth/login' } });
    // One reqId per line: a per-request child logger plus the mixin would write it twice.
    const raw = logs.text.split('\n').filter(Boolean);
    expect(raw.every((l) => (l.match(/"reqId"/g) ?? []).length <= 1)).toBe(true);
  });

  it('writes lines outside any request without a request id', () => {
    const startup = lines().filter((l) => l.context === 'InstanceLoader');
    expect(startup.length).toBeGreaterThan(0);
    expect(startup.every((l) => l.reqId === undefined)).toBe(true);
  });

  it('logs health probes and metrics scrapes at debug, every other request at info', async () => {
    for (const path of ['/health/live', '/health/ready', '/metrics', '/.well-known/jwks.json']) {
      await t.http.get(path);
    }
    const levelOf = (url: string) =>
      lines().find((l) => l.msg === 'request completed' && (l.req as { url: string }).url === url)
        ?.level;
    expect(levelOf('/health/live')).toBe('debug');
    expect(levelOf('/health/ready')).toBe('debug');
    expect(levelOf('/metrics')).toBe('debug');
    expect(levelOf('/.well-known/jwks.json')).toBe('info');
  });
});
