import { connect } from 'node:net';
import { aUser } from './factories/user.factory';
import { expectProblem } from './support/expectations';
import { HttpResponse } from './support/http';
import { cleanUp, startApp, testEnvironment, TestApp } from './support/test-app';

const APP_ORIGIN = 'https://app.example';
const EVIL_ORIGIN = 'https://evil.example';
const COOKIE = '__Secure-refresh_token';

/** The default app (no CORS_ORIGINS, no TRUST_PROXY) and one behind a proxy, serving a SPA. */
let plain: TestApp;
let proxied: TestApp;

beforeAll(async () => {
  plain = await startApp(testEnvironment());
  proxied = await startApp(
    testEnvironment({ CORS_ORIGINS: `${APP_ORIGIN},https://other.example`, TRUST_PROXY: 'true' }),
  );
});

afterAll(async () => {
  for (const t of [plain, proxied]) {
    await t.close();
    await cleanUp(t.env);
  }
});

async function loginOn(t: TestApp) {
  const user = aUser();
  expect((await t.http.post('/auth/register', user)).status).toBe(201);
  const login = await t.http.post('/auth/login', {
    username: user.username,
    password: user.password,
  });
  expect(login.status).toBe(200);
  const cookie = /^([^;]+)/.exec(login.headers.get('set-cookie') ?? '')?.[1] ?? '';
  expect(cookie).toMatch(new RegExp(`^${COOKIE}=`));
  return { tokens: login.body, cookie };
}

function expectApiHeaders(response: HttpResponse): void {
  const csp = response.headers.get('content-security-policy') ?? '';
  expect(csp).toMatch(/default-src 'none'/);
  expect(csp).toMatch(/frame-ancestors 'none'/);
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('x-frame-options')).toBe('DENY');
  expect(response.headers.get('x-powered-by')).toBeNull();
  expect(response.headers.get('strict-transport-security')).toBeNull();
}

describe('security headers', () => {
  it('sends nosniff, no framing and a strict CSP on API answers, errors included', async () => {
    expectApiHeaders(await plain.http.get('/health/live'));
    expectApiHeaders(await plain.http.get('/docs-json'));
    const unauthenticated = await plain.http.get('/auth/me');
    expectProblem(unauthenticated, 401);
    expectApiHeaders(unauthenticated);
    const notFound = await plain.http.get('/no/such/route');
    expectProblem(notFound, 404);
    expectApiHeaders(notFound);
  });

  it("sends them on answers made before any hook: the router's 400 and 414", async () => {
    for (const [path, status] of [
      ['/auth/%zz', 400],
      [`/users/${'x'.repeat(500)}`, 414],
    ] as const) {
      const response = await plain.http.get(path);
      expectProblem(response, status);
      expectApiHeaders(response);
      expect(response.headers.get('cache-control')).toBe('no-store');
    }
  });

  it("sends them on the answers of Node's HTTP parser (a DEL in the path, oversized headers)", async () => {
    const { port } = new URL(plain.http.baseUrl);
    const raw = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => socket.end(request));
        let answer = '';
        socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
        socket.on('close', () => resolve(answer));
        socket.on('error', reject);
      });
    for (const [request, status] of [
      ['GET /raw\x7f HTTP/1.1\r\nHost: x\r\n\r\n', 400],
      [`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
    ] as const) {
      const answer = await raw(request);
      const head = answer.slice(0, answer.indexOf('\r\n\r\n')).toLowerCase();
      expect(head).toMatch(new RegExp(`^http/1\\.1 ${status} `));
      expect(head).toMatch(
        /\r\ncontent-security-policy: default-src 'none';frame-ancestors 'none'/,
      );
      expect(head).toContain('\r\nx-frame-options: deny');
      expect(head).toContain('\r\nx-content-type-options: nosniff');
      expect(head).toContain('\r\ncache-control: no-store');
      expect(head).toContain('\r\ncontent-type: application/problem+json');
    }
  });

  it('relaxes the CSP for Swagger UI only: inline styles, scripts from itself, still no framing', async () => {
    const page = await plain.http.get('/docs');
    expect(page.status).toBe(200);
    expect(page.text).toContain('swagger-ui-bundle.js');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/style-src 'self' 'unsafe-inline'/);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    // A query string does not make it an API answer.
    const withQuery = await plain.http.get('/docs?x=1');
    expect(withQuery.headers.get('content-security-policy')).toBe(csp);
    const script = await plain.http.get('/docs/swagger-ui-init.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
  });

  it('gives the passkey page a CSP of its own (its script, fetch to itself) on its two paths only', async () => {
    const page = await plain.http.get('/passkeys/demo');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toContain('<script src="/passkeys/demo.js" defer></script>');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/connect-src 'self'(;|$)/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).not.toMatch(/unsafe/);
    const script = await plain.http.get('/passkeys/demo.js');
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(script.headers.get('content-security-policy')).toBe(csp);
    // Neighbours keep the API's: no script or fetch source anywhere else.
    for (const path of ['/passkeys/demo.json', '/passkeys/demox', '/auth/passkeys']) {
      const other = await plain.http.get(path);
      expectApiHeaders(other);
      expect(other.headers.get('content-security-policy')).not.toMatch(/script-src/);
    }
  });

  it('sends HSTS only when the request came over https, as told by a trusted proxy', async () => {
    const https = { headers: { 'x-forwarded-proto': 'https' } };
    const behindTls = await proxied.http.get('/health/live', https);
    expect(behindTls.headers.get('strict-transport-security')).toMatch(/^max-age=31536000/);
    expect(
      (await proxied.http.get('/health/live')).headers.get('strict-transport-security'),
    ).toBeNull();
    // Without TRUST_PROXY the header is anybody's say: plain http stays plain http.
    const spoofed = await plain.http.get('/health/live', https);
    expect(spoofed.headers.get('strict-transport-security')).toBeNull();
  });
});

describe('CORS', () => {
  it('answers an allowed origin with its own name and credentials, and a preflight too', async () => {
    const simple = await proxied.http.get('/health/live', { headers: { origin: APP_ORIGIN } });
    expect(simple.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(simple.headers.get('access-control-allow-credentials')).toBe('true');
    const preflight = await proxied.http.request('OPTIONS', '/auth/refresh', undefined, {
      headers: { origin: APP_ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
  });

  // One route per method the API uses, with the headers a browser client sends to it.
  it.each([
    ['GET', '/auth/me', 'authorization'],
    ['POST', '/auth/refresh', 'content-type,x-requested-with'],
    ['PATCH', '/users/0190aaaa-0000-7000-8000-000000000001', 'authorization,content-type'],
    ['DELETE', '/auth/sessions/0190aaaa-0000-7000-8000-000000000001', 'authorization'],
  ])('lets an allowed origin preflight %s %s', async (method, path, headers) => {
    const preflight = await proxied.http.request('OPTIONS', path, undefined, {
      headers: {
        origin: APP_ORIGIN,
        'access-control-request-method': method,
        'access-control-request-headers': headers,
      },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    const list = (name: string) =>
      (preflight.headers.get(name) ?? '')
        .toLowerCase()
        .split(',')
        .map((v) => v.trim());
    expect(list('access-control-allow-methods')).toContain(method.toLowerCase());
    for (const header of headers.split(',')) {
      expect(list('access-control-allow-headers')).toContain(header);
    }
    // The same preflight from a refused origin learns nothing.
    const refused = await proxied.http.request('OPTIONS', path, undefined, {
      headers: { origin: EVIL_ORIGIN, 'access-control-request-method': method },
    });
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    expect(refused.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('gives any other origin no CORS headers at all', async () => {
    const response = await proxied.http.get('/health/live', { headers: { origin: EVIL_ORIGIN } });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    const preflight = await proxied.http.request('OPTIONS', '/auth/refresh', undefined, {
      headers: { origin: EVIL_ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends no CORS headers when CORS_ORIGINS is unset', async () => {
    for (const origin of [APP_ORIGIN, EVIL_ORIGIN]) {
      const response = await plain.http.get('/health/live', { headers: { origin } });
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      const preflight = await plain.http.request('OPTIONS', '/auth/login', undefined, {
        headers: { origin, 'access-control-request-method': 'POST' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    }
  });
});

describe('token responses', () => {
  it('are never cached: login, refresh and their errors carry Cache-Control: no-store', async () => {
    const { tokens } = await loginOn(plain);
    const refreshed = await plain.http.post('/auth/refresh', {
      refresh_token: tokens.refresh_token,
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.headers.get('cache-control')).toBe('no-store');
    const failed = await plain.http.post('/auth/login', { username: 'nobody', password: 'nope' });
    expectProblem(failed, 401);
    expect(failed.headers.get('cache-control')).toBe('no-store');
  });

  it("are not the only ones: every answer to an access token is the caller's, never cached", async () => {
    // The app started last: passport serves every app of the process with its strategy.
    const { tokens } = await loginOn(proxied);
    const token = tokens.access_token;
    const answers = {
      me: await proxied.http.get('/auth/me', { token }),
      sessions: await proxied.http.get('/auth/sessions', { token }),
      logout: await proxied.http.post('/auth/logout', undefined, { token }),
    };
    expect(Object.values(answers).map((r) => r.status)).toEqual([200, 200, 204]);
    for (const answer of Object.values(answers)) {
      expect(answer.headers.get('cache-control')).toBe('no-store');
    }
    // Public answers keep their own rules: the JWKS may be cached by everyone.
    const jwks = await proxied.http.get('/.well-known/jwks.json');
    expect(jwks.headers.get('cache-control')).toMatch(/^public/);
  });
});

describe('the refresh cookie', () => {
  it('is refused on a form post, the shape a cross-site HTML form can send', async () => {
    const { cookie } = await loginOn(plain);
    const form = 'application/x-www-form-urlencoded';
    for (const raw of ['', 'refresh=1']) {
      const response = await plain.http.post('/auth/refresh', undefined, {
        raw,
        headers: { cookie, 'content-type': form },
      });
      expectProblem(response, response.status);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
    }
    // The cookie was not spent by the refused attempts: a proper request still rotates it.
    const ok = await plain.http.post('/auth/refresh', {}, { headers: { cookie } });
    expect(ok.status).toBe(200);
  });

  it('works with a JSON body or with X-Requested-With', async () => {
    const { cookie } = await loginOn(plain);
    const viaJson = await plain.http.post('/auth/refresh', {}, { headers: { cookie } });
    expect(viaJson.status).toBe(200);
    const next = /^([^;]+)/.exec(viaJson.headers.get('set-cookie') ?? '')?.[1] ?? '';
    const viaHeader = await plain.http.post('/auth/refresh', undefined, {
      headers: { cookie: next, 'x-requested-with': 'XMLHttpRequest' },
    });
    expect(viaHeader.status).toBe(200);
  });

  it('is refused with a foreign Origin when CORS_ORIGINS is set, and taken from an allowed one', async () => {
    const { cookie } = await loginOn(proxied);
    const foreign = await proxied.http.post(
      '/auth/refresh',
      {},
      {
        headers: { cookie, origin: EVIL_ORIGIN },
      },
    );
    expectProblem(foreign, 403);
    const allowed = await proxied.http.post(
      '/auth/refresh',
      {},
      {
        headers: { cookie, origin: APP_ORIGIN },
      },
    );
    expect(allowed.status).toBe(200);
  });
});

describe('the Host header', () => {
  const PATHS = [
    '/.well-known/jwks.json',
    '/.well-known/oauth-authorization-server',
    '/docs-json',
    '/docs',
    '/docs/swagger-ui-init.js',
    '/no/such/route',
    '/auth/me',
  ];

  it.each([
    ['without a proxy', () => plain, { host: 'evil.example' }],
    [
      'behind a trusted proxy',
      () => proxied,
      { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
    ],
  ])('never makes it into a URL we send back (%s)', async (_, app, headers) => {
    for (const url of PATHS) {
      const response = await app().app.inject({ method: 'GET', url, headers });
      expect(response.statusCode).toBeLessThan(500);
      const everything = `${JSON.stringify(response.headers)}\n${response.body}`;
      expect({ url, leaks: everything.includes('evil.example') }).toEqual({ url, leaks: false });
    }
    const document = JSON.parse((await app().app.inject({ url: '/docs-json', headers })).body);
    for (const server of document.servers ?? []) {
      expect(server.url).toBe(app().env.jwt.issuer);
    }
  });
});
