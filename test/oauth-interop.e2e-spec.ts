import * as oauth from 'oauth4webapi';
import { KNOWN_SCOPES } from '../src/config/scopes';
import { aUser } from './factories/user.factory';
import { cleanUp, startApp, testEnvironment, TestApp } from './support/test-app';

const ADMIN = { email: 'interop@example.com', password: 'interop-admin-password-for-tests' };
/** An https issuer, as a real deployment has; requests to it go to the test app (customFetch). */
const ISSUER = 'https://auth.example.test';
const AUDIENCE = 'tessera-api';
/** A resource server's registration as oauth4webapi sees it; Tessera keeps no client registry. */
const CLIENT: oauth.Client = { client_id: 'resource-server' };

/**
 * Tessera driven by a standard, strict OAuth client library (oauth4webapi), as third-party
 * clients and resource servers will drive it: discovery (RFC 8414), revocation (RFC 7009),
 * introspection (RFC 7662) with a Bearer client authentication, their errors (RFC 6749 §5.2,
 * RFC 6750 §3.1) and the access token itself (RFC 9068).
 */
describe('OAuth interoperability with oauth4webapi', () => {
  let t: TestApp;
  let as: oauth.AuthorizationServer;
  let introspector: string;
  let options: { [oauth.customFetch]: typeof fetch };

  beforeAll(async () => {
    t = await startApp(
      testEnvironment({
        REDIS_URL: '',
        JWT_ISSUER: ISSUER,
        JWT_AUDIENCE: AUDIENCE,
        BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
        BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      }),
    );
    // oauth4webapi calls its fetch with the URL as a string (url.href).
    const toApp = ((url: string, init?: RequestInit) =>
      fetch(url.replace(ISSUER, t.http.baseUrl), init)) as typeof fetch;
    options = { [oauth.customFetch]: toApp };
    const issuer = new URL(ISSUER);
    as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { ...options, algorithm: 'oauth2' }),
    );
    introspector = (await login({ username: ADMIN.email, password: ADMIN.password })).access_token;
  });

  afterAll(async () => {
    await t.close();
    await cleanUp(t.env);
  });

  async function login(credentials?: { username: string; password: string }, scope?: string) {
    if (!credentials) {
      const user = aUser();
      expect((await t.http.post('/auth/register', user)).status).toBe(201);
      credentials = { username: user.username, password: user.password };
    }
    const response = await t.http.post('/auth/login', { ...credentials, scope });
    expect(response.status).toBe(200);
    return response.body as { access_token: string; refresh_token: string };
  }

  /** RFC 7662 §2.1 lets the protected resource authenticate with its own bearer token. */
  const bearer =
    (token: string): oauth.ClientAuth =>
    (_as, _client, _body, headers) => {
      headers.set('authorization', `Bearer ${token}`);
    };

  /** A parameter the endpoints do not take: a request they refuse as invalid_request. */
  const UNKNOWN_PARAMETER = { additionalParameters: { audience: 'elsewhere' } };
  const revoke = async (token: string, extra = {}) =>
    oauth.processRevocationResponse(
      await oauth.revocationRequest(as, CLIENT, oauth.None(), token, { ...options, ...extra }),
    );
  const introspect = async (token: string, caller = introspector, extra = {}) =>
    oauth.processIntrospectionResponse(
      as,
      CLIENT,
      await oauth.introspectionRequest(as, CLIENT, bearer(caller), token, {
        ...options,
        ...extra,
      }),
    );
  /** What the library throws, or undefined when the call succeeds. */
  const failure = (call: Promise<unknown>) =>
    call.then(
      () => undefined,
      (error: unknown) => error,
    );

  it('discovers the revocation and introspection endpoints (RFC 8414)', () => {
    expect(as).toEqual(
      expect.objectContaining({
        issuer: ISSUER,
        revocation_endpoint: `${ISSUER}/auth/revoke`,
        introspection_endpoint: `${ISSUER}/auth/introspect`,
        scopes_supported: [...KNOWN_SCOPES],
      }),
    );
  });

  it('introspects an active access token as a Bearer token, with its client_id', async () => {
    const tokens = await login();
    expect(await introspect(tokens.access_token)).toEqual(
      expect.objectContaining({
        active: true,
        token_type: 'Bearer',
        client_id: 'tessera',
        scope: 'profile',
        iss: ISSUER,
        aud: AUDIENCE,
      }),
    );
  });

  it('introspects a refresh token as active without a token_type, and garbage as inactive', async () => {
    const tokens = await login();
    const refresh = await introspect(tokens.refresh_token);
    expect(refresh).toEqual(expect.objectContaining({ active: true, scope: 'profile' }));
    expect(refresh).not.toHaveProperty('token_type');
    expect(await introspect('not-a-token')).toEqual({ active: false });
  });

  it('revokes an access token: introspection then reports it inactive', async () => {
    const tokens = await login();
    await expect(revoke(tokens.access_token)).resolves.toBeUndefined();
    expect(await introspect(tokens.access_token)).toEqual({ active: false });
    expect((await introspect(tokens.refresh_token)).active).toBe(true);
  });

  it('revokes a refresh token: its session ends, access token included', async () => {
    const tokens = await login();
    await expect(revoke(tokens.refresh_token)).resolves.toBeUndefined();
    expect(await introspect(tokens.refresh_token)).toEqual({ active: false });
    expect(await introspect(tokens.access_token)).toEqual({ active: false });
  });

  it('surfaces a revocation error as the OAuth error, not as a content-type complaint', async () => {
    const error = await failure(revoke('some-token', UNKNOWN_PARAMETER));
    expect(error).toBeInstanceOf(oauth.ResponseBodyError);
    expect(error).toMatchObject({ status: 400, error: 'invalid_request' });
  });

  it('surfaces an introspection error as the OAuth error, not as a content-type complaint', async () => {
    const error = await failure(introspect('some-token', introspector, UNKNOWN_PARAMETER));
    expect(error).toBeInstanceOf(oauth.ResponseBodyError);
    expect(error).toMatchObject({ status: 400, error: 'invalid_request' });
  });

  it('surfaces a caller without tokens:introspect as insufficient_scope (RFC 6750 §3.1)', async () => {
    const tokens = await login();
    const error = await failure(introspect(tokens.access_token, tokens.access_token));
    expect(error).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    const [challenge] = (error as oauth.WWWAuthenticateChallengeError).cause;
    expect(challenge).toEqual({
      scheme: 'bearer',
      parameters: { error: 'insufficient_scope', scope: 'tokens:introspect' },
    });
    // The body says the same, for clients that read the body rather than the header.
    const raw = await t.http.post(
      '/auth/introspect',
      { token: tokens.access_token },
      { token: tokens.access_token },
    );
    expect(raw.headers.get('content-type')).toMatch(/^application\/json/);
    expect(raw.body).toEqual(
      expect.objectContaining({
        error: 'insufficient_scope',
        status: 403,
        type: expect.any(String),
      }),
    );
  });

  it('surfaces an invalid caller token at introspection as invalid_token', async () => {
    const error = await failure(introspect('nonsense', 'not.a.token'));
    expect(error).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    const [challenge] = (error as oauth.WWWAuthenticateChallengeError).cause;
    expect(challenge.parameters.error).toBe('invalid_token');
  });

  it('answers a missing scope with WWW-Authenticate insufficient_scope on every route', async () => {
    const narrow = (await login({ username: ADMIN.email, password: ADMIN.password }, 'profile'))
      .access_token;
    for (const [path, scope] of [
      ['/users', 'users:read'],
      ['/admin/audit', 'audit:read'],
    ]) {
      const response = await t.http.get(path, { token: narrow });
      expect({
        path,
        status: response.status,
        challenge: response.headers.get('www-authenticate'),
      }).toEqual({
        path,
        status: 403,
        challenge: `Bearer error="insufficient_scope", scope="${scope}"`,
      });
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
  });

  it('issues access tokens that pass RFC 9068 validation (typ, iss, exp, aud, sub, client_id, iat, jti)', async () => {
    const tokens = await login();
    const request = new Request(`${ISSUER}/api/resource`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    const claims = await oauth.validateJwtAccessToken(as, request, AUDIENCE, options);
    expect(claims).toEqual(
      expect.objectContaining({
        iss: ISSUER,
        aud: AUDIENCE,
        client_id: 'tessera',
        sub: expect.any(String),
        jti: expect.any(String),
        exp: expect.any(Number),
        iat: expect.any(Number),
      }),
    );
  });
});
