import { ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { sign as signJwt } from 'jsonwebtoken';
import { aUser } from './factories/user.factory';
import { Http } from './support/http';
import { cleanUp, startApp, testEnvironment, TestApp } from './support/test-app';

const ADMIN = { email: 'service@example.com', password: 'service-password-for-tests-only' };
const SERVER = join(__dirname, '..', 'examples', 'resource-server', 'server.mjs');

/** Starts the example as its own Node process (jose is ESM-only) and waits for its address. */
function startResourceServer(tessera: TestApp): Promise<{ child: ChildProcess; http: Http }> {
  const child = spawn(process.execPath, [SERVER], {
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      TESSERA_URL: tessera.http.baseUrl,
      TESSERA_ISSUER: tessera.env.jwt.issuer,
      SERVICE_USERNAME: ADMIN.email,
      SERVICE_PASSWORD: ADMIN.password,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`resource server exited with ${code}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      const url = /listening on (http:\/\/\S+)/.exec(chunk.toString())?.[1];
      if (url) resolve({ child, http: new Http(url) });
    });
  });
}

describe('the resource-server example against a running Tessera', () => {
  let tessera: TestApp;
  let resource: { child: ChildProcess; http: Http };

  beforeAll(async () => {
    tessera = await startApp(
      testEnvironment({
        BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
        BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      }),
    );
    resource = await startResourceServer(tessera);
  });

  afterAll(async () => {
    resource?.child.kill('SIGTERM');
    await tessera.close();
    await cleanUp(tessera.env);
  });

  async function login() {
    const user = aUser();
    await tessera.http.post('/auth/register', user);
    const response = await tessera.http.post('/auth/login', {
      username: user.username,
      password: user.password,
    });
    expect(response.status).toBe(200);
    return response.body as { access_token: string; refresh_token: string };
  }

  it('accepts a valid access token on both routes, verified through the JWKS', async () => {
    const tokens = await login();
    const plain = await resource.http.get('/hello', { token: tokens.access_token });
    expect(plain.status).toBe(200);
    expect(plain.body).toEqual({
      message: 'hello',
      userId: expect.any(String),
      scope: 'profile',
      strict: false,
    });
    const strict = await resource.http.get('/hello?strict=1', { token: tokens.access_token });
    expect(strict.status).toBe(200);
    expect(strict.body.strict).toBe(true);
  });

  it('answers 401 without a token and for forged, refresh and WebSocket-ticket tokens', async () => {
    const tokens = await login();
    const [header, payload] = tokens.access_token
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')));
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = signJwt(payload, privateKey, { algorithm: 'RS256', header });
    const ticket = await tessera.http.post('/auth/ws-ticket', undefined, {
      token: tokens.access_token,
    });
    expect((await resource.http.get('/hello')).status).toBe(401);
    for (const token of [forged, tokens.refresh_token, ticket.body.ticket]) {
      const response = await resource.http.get('/hello', { token });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    }
  });

  it('still accepts a logged-out token on the JWKS-only route, but not on the strict one', async () => {
    const tokens = await login();
    const logout = await tessera.http.post('/auth/logout', undefined, {
      token: tokens.access_token,
    });
    expect(logout.status).toBe(204);
    // Stateless verification cannot know about the logout until the token expires (documented).
    expect((await resource.http.get('/hello', { token: tokens.access_token })).status).toBe(200);
    const strict = await resource.http.get('/hello?strict=1', { token: tokens.access_token });
    expect(strict.status).toBe(401);
  });
});
