import { aUser } from './factories/user.factory';
import { useTestApp } from './support/test-app';

describe('GET /metrics', () => {
  const app = useTestApp();

  it('serves Prometheus text without a token, with process, HTTP and audit metrics', async () => {
    const user = aUser();
    await app().http.post('/auth/register', user);
    const login = await app().http.post('/auth/login', {
      username: user.username,
      password: user.password,
    });
    await app().http.get('/auth/me', { token: login.body.access_token });
    await app().http.post('/auth/login', {
      username: user.username,
      password: 'not-the-password-at-all',
    });

    const metrics = await app().http.get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics.text).toMatch(/^tessera_process_cpu_user_seconds_total \d/m);
    expect(metrics.text).toMatch(
      /^tessera_http_requests_total\{method="GET",route="\/auth\/me",status="200"\} 1$/m,
    );
    expect(metrics.text).toMatch(
      /^tessera_http_request_duration_seconds_count\{method="POST",route="\/auth\/login"\} 2$/m,
    );
    expect(metrics.text).toMatch(/^tessera_audit_events_total\{event="LOGIN_SUCCESS"\} 1$/m);
    expect(metrics.text).toMatch(/^tessera_audit_events_total\{event="LOGIN_FAILED"\} 1$/m);
  });

  it('labels by route template, never by raw path, and holds no user data', async () => {
    await app().http.get('/users/01a20a50-0000-7000-8000-000000000000');
    await app().http.get('/no/such/path/for-metrics');
    const metrics = await app().http.get('/metrics');
    expect(metrics.text).toContain('route="/users/:id"');
    expect(metrics.text).toContain('route="unmatched"');
    expect(metrics.text).not.toContain('01a20a50-0000-7000-8000-000000000000');
    expect(metrics.text).not.toContain('for-metrics');
    expect(metrics.text).not.toContain('@example.com');
  });

  it('counts the liveness probe, a Fastify route outside Nest, like any other route', async () => {
    await app().http.get('/health/live');
    const metrics = await app().http.get('/metrics');
    expect(metrics.text).toMatch(
      /^tessera_http_requests_total\{method="GET",route="\/health\/live",status="200"\} 1$/m,
    );
  });
});
