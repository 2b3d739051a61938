import { generateKeyPairSync } from 'node:crypto';
import { sign as signJwt } from 'jsonwebtoken';
import { KNOWN_SCOPES } from '../src/config/scopes';
import { aUser } from './factories/user.factory';
import { expectInvalidToken, expectProblem } from './support/expectations';
import { Http, HttpResponse } from './support/http';
import { cleanUp, startApp, testEnvironment, TestApp } from './support/test-app';

const ADMIN = { email: 'root@example.com', password: 'admin-password-for-tests-only' };
const ISSUER = 'https://auth.example.test';

describe.each(['redis', 'memory'] as const)('OAuth endpoints on the %s store', (driver) => {
  let t: TestApp;
  let http: Http;
  let introspector: string;

  beforeAll(async () => {
    t = await startApp(
      testEnvironment({
        ...(driver === 'memory' ? { REDIS_URL: '' } : {}),
        JWT_ISSUER: ISSUER,
        BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
        BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      }),
    );
    http = t.http;
    const admin = await http.post('/auth/login', {
      username: ADMIN.email,
      password: ADMIN.password,
      scope: 'tokens:introspect',
    });
    introspector = admin.body.access_token;
  });

  afterAll(async () => {
    await t.close();
    await cleanUp(t.env);
  });

  async function login() {
    const user = aUser();
    expect((await http.post('/auth/register', user)).status).toBe(201);
    const response = await http.post('/auth/login', {
      username: user.username,
      password: user.password,
    });
    expect(response.status).toBe(200);
    return response.body as { access_token: string; refresh_token: string; session_id: string };
  }

  const form = (path: string, fields: Record<string, string>, token?: string) =>
    http.post(path, undefined, {
      token,
      raw: new URLSearchParams(fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  const introspect = (token: string) =>
    http.post('/auth/introspect', { token }, { token: introspector });

  describe('POST /auth/revoke (RFC 7009)', () => {
    it('revokes an access token sent as JSON: the next request with it is refused', async () => {
      const tokens = await login();
      const response = await http.post('/auth/revoke', { token: tokens.access_token });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expectInvalidToken(await http.get('/auth/me', { token: tokens.access_token }));
      // Only that token: the session and its refresh token live on.
      expect(
        (await http.post('/auth/refresh', { refresh_token: tokens.refresh_token })).status,
      ).toBe(200);
    });

    it('revokes an access token sent form-encoded, with a token_type_hint', async () => {
      const tokens = await login();
      const response = await form('/auth/revoke', {
        token: tokens.access_token,
        token_type_hint: 'access_token',
        client_id: 'spa',
      });
      expect(response.status).toBe(200);
      expectInvalidToken(await http.get('/auth/me', { token: tokens.access_token }));
    });

    it('ends the whole session for a refresh token, whatever the hint says', async () => {
      const tokens = await login();
      const response = await form('/auth/revoke', {
        token: tokens.refresh_token,
        token_type_hint: 'access_token',
      });
      expect(response.status).toBe(200);
      expectInvalidToken(await http.get('/auth/me', { token: tokens.access_token }));
      expectProblem(await http.post('/auth/refresh', { refresh_token: tokens.refresh_token }), 401);
    });

    it('ends the session for a refresh token that was already rotated away', async () => {
      const tokens = await login();
      const rotated = await http.post('/auth/refresh', { refresh_token: tokens.refresh_token });
      expect(rotated.status).toBe(200);
      expect((await http.post('/auth/revoke', { token: tokens.refresh_token })).status).toBe(200);
      expectInvalidToken(await http.get('/auth/me', { token: rotated.body.access_token }));
    });

    it('never ends a session for someone who knows only its id', async () => {
      const tokens = await login();
      const guessed = `${tokens.session_id}.${'A'.repeat(43)}`;
      expect((await http.post('/auth/revoke', { token: guessed })).status).toBe(200);
      expect((await http.get('/auth/me', { token: tokens.access_token })).status).toBe(200);
    });

    it('answers 200 for unknown, malformed and forged tokens and changes nothing', async () => {
      const tokens = await login();
      const forged = forgeAccessToken(tokens.access_token);
      for (const token of ['nonsense', 'a.b.c', forged, 'x'.repeat(10_000)]) {
        const response = await http.post('/auth/revoke', { token });
        expect({ token: token.slice(0, 20), status: response.status }).toEqual({
          token: token.slice(0, 20),
          status: 200,
        });
      }
      expect((await http.get('/auth/me', { token: tokens.access_token })).status).toBe(200);
    });

    it('answers 400 invalid_request without a token, as JSON or as a form', async () => {
      expectOAuthError(await http.post('/auth/revoke', {}), 400, 'invalid_request');
      expectOAuthError(await http.post('/auth/revoke', { token: '' }), 400, 'invalid_request');
      expectOAuthError(
        await form('/auth/revoke', { token_type_hint: 'refresh_token' }),
        400,
        'invalid_request',
      );
    });

    it('records TOKEN_REVOKED with ids only, never the token', async () => {
      const tokens = await login();
      await http.post('/auth/revoke', { token: tokens.refresh_token });
      const admin = await http.post('/auth/login', {
        username: ADMIN.email,
        password: ADMIN.password,
      });
      const trail = await http.get('/admin/audit?event=TOKEN_REVOKED&limit=100', {
        token: admin.body.access_token,
      });
      expect(trail.status).toBe(200);
      const event = (trail.body.items as { details: Record<string, unknown> }[]).find(
        (e) => e.details.sessionId === tokens.session_id,
      );
      expect(event?.details).toEqual(
        expect.objectContaining({ tokenType: 'refresh_token', sessionId: tokens.session_id }),
      );
      expect(trail.text).not.toContain(tokens.refresh_token.split('.')[1]);
    });
  });

  describe('POST /auth/introspect (RFC 7662)', () => {
    it('reports an active access token with its claims, and inactive once the session ended', async () => {
      const tokens = await login();
      const response = await introspect(tokens.access_token);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.body).toEqual({
        active: true,
        token_type: 'Bearer',
        client_id: 'tessera',
        sub: expect.any(String),
        scope: 'profile',
        exp: expect.any(Number),
        iat: expect.any(Number),
        jti: expect.any(String),
        sid: tokens.session_id,
        iss: ISSUER,
        aud: 'tessera-api',
      });
      expect(
        (await http.post('/auth/logout', undefined, { token: tokens.access_token })).status,
      ).toBe(204);
      expect((await introspect(tokens.access_token)).body).toEqual({ active: false });
    });

    it('takes a form-encoded body and reports a revoked access token inactive', async () => {
      const tokens = await login();
      const before = await form('/auth/introspect', { token: tokens.access_token }, introspector);
      expect(before.body.active).toBe(true);
      await http.post('/auth/revoke', { token: tokens.access_token });
      const after = await form('/auth/introspect', { token: tokens.access_token }, introspector);
      expect(after.body).toEqual({ active: false });
    });

    it('reports the current refresh token active and a rotated one inactive', async () => {
      const tokens = await login();
      const current = await introspect(tokens.refresh_token);
      expect(current.body).toEqual({
        active: true,
        sub: expect.any(String),
        sid: tokens.session_id,
        scope: 'profile',
        exp: expect.any(Number),
        iss: ISSUER,
      });
      const rotated = await http.post('/auth/refresh', { refresh_token: tokens.refresh_token });
      expect((await introspect(tokens.refresh_token)).body).toEqual({ active: false });
      expect((await introspect(rotated.body.refresh_token)).body.active).toBe(true);
      // Introspecting a rotated token is not a reuse: the session lives on.
      expect((await http.get('/auth/me', { token: rotated.body.access_token })).status).toBe(200);
    });

    it('reports unknown, forged and WebSocket-ticket tokens inactive', async () => {
      const tokens = await login();
      const ticket = await http.post('/auth/ws-ticket', undefined, { token: tokens.access_token });
      for (const token of ['nonsense', forgeAccessToken(tokens.access_token), ticket.body.ticket]) {
        expect((await introspect(token)).body).toEqual({ active: false });
      }
    });

    it('answers 401 without a bearer token and 403 without scope tokens:introspect', async () => {
      const tokens = await login();
      const anonymous = await http.post('/auth/introspect', { token: tokens.access_token });
      expectOAuthError(anonymous, 401, 'invalid_client');
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
      const forbidden = await http.post(
        '/auth/introspect',
        { token: tokens.access_token },
        { token: tokens.access_token },
      );
      expectOAuthError(forbidden, 403, 'insufficient_scope');
      expect(forbidden.headers.get('www-authenticate')).toBe(
        'Bearer error="insufficient_scope", scope="tokens:introspect"',
      );
    });

    it('answers 400 invalid_request without a token', async () => {
      expectOAuthError(
        await http.post('/auth/introspect', {}, { token: introspector }),
        400,
        'invalid_request',
      );
    });
  });

  describe('GET /.well-known/oauth-authorization-server (RFC 8414)', () => {
    it('publishes the endpoints, all under JWT_ISSUER whatever the Host header says', async () => {
      const response = await http.get('/.well-known/oauth-authorization-server', {
        headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example' },
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        issuer: ISSUER,
        jwks_uri: `${ISSUER}/.well-known/jwks.json`,
        revocation_endpoint: `${ISSUER}/auth/revoke`,
        revocation_endpoint_auth_methods_supported: ['none'],
        introspection_endpoint: `${ISSUER}/auth/introspect`,
        introspection_endpoint_auth_methods_supported: ['Bearer'],
        scopes_supported: [...KNOWN_SCOPES],
        response_types_supported: [],
        grant_types_supported: [],
        service_documentation: `${ISSUER}/docs`,
        dpop_signing_alg_values_supported: ['ES256', 'EdDSA', 'RS256', 'PS256'],
      });
      expect(response.text).not.toContain('evil.example');
    });
  });
});

/** The token's own header and claims, signed with a key that is not ours. */
function forgeAccessToken(genuine: string): string {
  const [header, payload] = genuine
    .split('.')
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')));
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return signJwt(payload, privateKey, { algorithm: 'RS256', header });
}

/**
 * An RFC 6749 §5.2 error response (application/json, `error` and `error_description`) that is
 * also a complete RFC 9457 problem, as the RFC endpoints answer.
 */
function expectOAuthError(response: HttpResponse, status: number, error: string): void {
  expect({ status: response.status, type: response.headers.get('content-type') }).toEqual({
    status,
    type: expect.stringMatching(/^application\/json/),
  });
  expect(response.body).toEqual(
    expect.objectContaining({
      error,
      error_description: expect.any(String),
      type: expect.any(String),
      title: expect.any(String),
      status,
      detail: expect.any(String),
    }),
  );
}
