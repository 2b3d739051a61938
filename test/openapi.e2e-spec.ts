import { cleanUp, startApp, TestApp } from './support/test-app';

/** Every route the contract names, as OpenAPI paths. */
const CONTRACT_ROUTES = [
  'post /auth/register',
  'post /auth/login',
  'post /auth/refresh',
  'post /auth/logout',
  'post /auth/logout-all',
  'get /auth/me',
  'get /auth/sessions',
  'delete /auth/sessions/{id}',
  'post /auth/password',
  'get /.well-known/jwks.json',
  'get /users',
  'get /users/{id}',
  'post /users',
  'patch /users/{id}',
  'delete /users/{id}',
  'get /health/live',
  'get /health/ready',
  'get /metrics',
  'post /auth/ws-ticket',
  'post /auth/revoke',
  'post /auth/introspect',
  'get /.well-known/oauth-authorization-server',
  'get /ws',
];

describe('OpenAPI document', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await t.close();
    await cleanUp(t.env);
  });

  it('serves the document once serialised: the same bytes each time, no YAML copy', async () => {
    const [first, second] = await Promise.all([
      t.app.inject({ url: '/docs-json' }),
      t.app.inject({ url: '/docs-json' }),
    ]);
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(second.rawPayload.equals(first.rawPayload)).toBe(true);
    expect(JSON.parse(first.body).openapi).toMatch(/^3\./);
    // SwaggerModule's own routes serialised the document again per request, YAML included.
    expect((await t.app.inject({ url: '/docs-yaml' })).statusCode).toBe(404);
  });

  it('lists every route, with bearer security exactly on the non-public ones', async () => {
    const response = await t.http.get('/docs-json');
    expect(response.status).toBe(200);
    const paths = response.body.paths as Record<string, Record<string, { security?: unknown[] }>>;
    const routes = Object.entries(paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m} ${path}`),
    );
    expect(routes.sort()).toEqual(expect.arrayContaining(CONTRACT_ROUTES.sort()));
    const secured = routes.filter((r) => {
      const [method, path] = r.split(' ');
      return (paths[path][method].security ?? []).length > 0;
    });
    const publicRoutes = [
      'post /auth/register',
      'post /auth/login',
      'post /auth/login/mfa',
      'post /auth/login/passkey/options',
      'post /auth/login/passkey',
      'post /auth/refresh',
      'post /auth/email/verify',
      'post /auth/email/verify/resend',
      'post /auth/password/forgot',
      'post /auth/password/reset',
      'get /.well-known/jwks.json',
      'get /.well-known/oauth-authorization-server',
      'post /auth/revoke',
      'get /health/live',
      'get /health/ready',
      'get /metrics',
      'get /ws', // no bearer: its single-use ticket is a query parameter
    ];
    expect(secured.sort()).toEqual(routes.filter((r) => !publicRoutes.includes(r)).sort());
  });

  it('documents errors as application/problem+json', async () => {
    const response = await t.http.get('/docs-json');
    const login = response.body.paths['/auth/login'].post;
    expect(Object.keys(login.responses['401'].content)).toEqual(['application/problem+json']);
  });

  it('documents the WebSocket upgrade at GET /ws: its ticket, 101, 401, 426 and the close codes', async () => {
    const response = await t.http.get('/docs-json');
    const ws = response.body.paths['/ws']?.get;
    expect(ws?.parameters).toEqual([
      expect.objectContaining({ name: 'ticket', in: 'query', required: true }),
    ]);
    expect(Object.keys(ws.responses).sort()).toEqual(['101', '401', '426']);
    expect(ws.description).toMatch(/`4401`: .*ticket/);
    expect(ws.description).toMatch(/`4429`: .*oldest/);
    expect(ws.description).toMatch(/at most 5 sockets and a user 20/);
    expect(Object.keys(ws['x-websocket-close-codes'])).toEqual(
      expect.arrayContaining(['4401', '4429']),
    );
  });

  it('serves Swagger UI at /docs', async () => {
    const response = await t.http.get('/docs');
    expect(response.status).toBe(200);
    expect(response.text).toMatch(/swagger/i);
  });
});
