import { aUser } from './factories/user.factory';
import { TestApp, useTestApp } from './support/test-app';

/** The client IP the service records (brute-force counters, throttling, sessions, audit). */
async function sessionIp(t: TestApp, forwardedFor?: string): Promise<string> {
  const user = aUser();
  expect((await t.http.post('/auth/register', user)).status).toBe(201);
  const headers: Record<string, string> = forwardedFor ? { 'x-forwarded-for': forwardedFor } : {};
  const login = await t.http.post(
    '/auth/login',
    { username: user.username, password: user.password },
    { headers },
  );
  expect(login.status).toBe(200);
  const sessions = await t.http.get('/auth/sessions', { token: login.body.access_token });
  return sessions.body[0].ip as string;
}

// Sibling describes, one app at a time: apps with different settings must not overlap.
describe('client IP with TRUST_PROXY=true (one trusted hop)', () => {
  const app = useTestApp({ TRUST_PROXY: 'true' });

  it('is the address our proxy appended, never an entry the client wrote', async () => {
    // The client sent "203.0.113.9"; the proxy in front of us appended the peer it saw.
    expect(await sessionIp(app(), '203.0.113.9, 198.51.100.7')).toBe('198.51.100.7');
  });

  it('is the single forwarded address when there is one', async () => {
    expect(await sessionIp(app(), '198.51.100.8')).toBe('198.51.100.8');
  });
});

describe('client IP with TRUST_PROXY listing the proxy addresses', () => {
  const app = useTestApp({ TRUST_PROXY: '127.0.0.1/8' });

  it('skips only listed proxies from the right', async () => {
    expect(await sessionIp(app(), '203.0.113.9, 198.51.100.7')).toBe('198.51.100.7');
    expect(await sessionIp(app(), '203.0.113.9, 127.0.0.5')).toBe('203.0.113.9');
  });
});

describe('client IP without TRUST_PROXY', () => {
  const app = useTestApp();

  it('ignores X-Forwarded-For entirely', async () => {
    expect(await sessionIp(app(), '203.0.113.9')).toBe('127.0.0.1');
  });
});
