import { ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { aUser, credentials } from './factories/user.factory';
import { Http } from './support/http';
import { attackerKey, Forger, readSigningKey } from './support/jwt-craft';
import { cleanUp, startApp, testEnvironment, TestApp } from './support/test-app';
import { until } from './support/wait';

/*
 * The two TypeScript examples, run as their own Node processes against a real Tessera:
 * examples/client (openapi-fetch over the generated types) and examples/nest-resource-server
 * (NestJS + passport-jwt + jwks-rsa). Each has its own package.json; .ci/examples.sh installs and
 * builds them (and checks the generated types are current) before `npm test` in CI.
 */
const EXAMPLES = join(__dirname, '..', 'examples');
const CLIENT = join(EXAMPLES, 'client', 'dist', 'example.js');
const RESOURCE_SERVER = join(EXAMPLES, 'nest-resource-server', 'dist', 'main.js');
const DPOP_CLIENT = join(EXAMPLES, 'nest-resource-server', 'dist', 'dpop-client.js');
const HOW = 'run `bash .ci/examples.sh` to install and build them';
const ADMIN = {
  email: 'examples-admin@example.com',
  password: 'examples-admin-password-for-tests',
};

const run = promisify(execFile);

/** Like `describe`, once the examples are built; else skipped with how to, or failing in CI. */
function describeWhenBuilt(title: string, suite: () => void): void {
  const missing = [CLIENT, RESOURCE_SERVER].filter((file) => !existsSync(file));
  if (missing.length === 0) {
    describe(title, suite);
  } else if (process.env.CI === 'true') {
    it(`${title}: runs in CI, where the examples must be built (${HOW})`, () => {
      expect(missing).toEqual([]);
    });
  } else {
    // A checkout without the examples' node_modules: say so in the test list instead of failing.
    // eslint-disable-next-line jest/no-disabled-tests, jest/expect-expect
    it.skip(`${title}: skipped, the examples are not built (${HOW})`, () => undefined);
  }
}

/** The Nest resource server as a child process, with every line it prints. */
interface ResourceServer {
  child: ChildProcess;
  http: Http;
  lines: string[];
}

function startResourceServer(tessera: TestApp): Promise<ResourceServer> {
  const child = spawn(process.execPath, [RESOURCE_SERVER], {
    env: {
      PATH: process.env.PATH,
      NO_COLOR: '1',
      PORT: '0',
      TESSERA_URL: tessera.http.baseUrl,
      TESSERA_ISSUER: tessera.env.jwt.issuer,
      TESSERA_AUDIENCE: tessera.env.jwt.audience,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`resource server exited with ${code}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      const url = /listening on (http:\/\/\S+)/.exec(chunk.toString())?.[1];
      if (url) resolve({ child, http: new Http(url), lines });
    });
  });
}

describeWhenBuilt('the TypeScript examples against a running Tessera', () => {
  let tessera: TestApp;

  beforeAll(async () => {
    tessera = await startApp(
      testEnvironment({
        BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
        BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      }),
    );
  });

  afterAll(async () => {
    await tessera?.close();
    if (tessera) await cleanUp(tessera.env);
  });

  async function register() {
    const user = aUser();
    const created = await tessera.http.post('/auth/register', user);
    expect(created.status).toBe(201);
    return { ...user, id: created.body.id as string };
  }

  async function login(body: { username: string; password: string; scope?: string }) {
    const response = await tessera.http.post('/auth/login', body);
    expect(response.status).toBe(200);
    return response.body as { access_token: string; refresh_token: string };
  }

  /** The audit events `event` of `userId`, as an admin reads them. */
  async function audited(userId: string, event: string): Promise<unknown[]> {
    const { access_token } = await login({ username: ADMIN.email, password: ADMIN.password });
    const query = `/admin/audit?userId=${userId}&event=${event}&limit=100`;
    const response = await tessera.http.get(query, { token: access_token });
    expect(response.status).toBe(200);
    return response.body.items;
  }

  describe('examples/nest-resource-server: a DPoP client', () => {
    it('signs in with a proof, calls /auth/me as DPoP, and its token is refused as a bearer token', async () => {
      const user = await register();
      const { stdout } = await run(process.execPath, [DPOP_CLIENT], {
        env: {
          PATH: process.env.PATH,
          TESSERA_URL: tessera.http.baseUrl,
          TESSERA_ISSUER: tessera.env.jwt.issuer,
          USERNAME: user.username,
          PASSWORD: user.password,
        },
        timeout: 20_000,
      });
      expect(JSON.parse(stdout.trim())).toEqual({
        token_type: 'DPoP',
        me: 200,
        sameTokenAsBearer: 401,
      });
    });
  });

  describe('examples/client: the typed client', () => {
    it('signs in, reads /auth/me, refreshes once per refused token, shared by concurrent 401s', async () => {
      const user = await register();
      const { stdout } = await run(process.execPath, [CLIENT], {
        env: {
          PATH: process.env.PATH,
          TESSERA_URL: tessera.http.baseUrl,
          TESSERA_USERNAME: user.username,
          TESSERA_PASSWORD: user.password,
        },
        timeout: 20_000,
      });
      const lines = stdout.trim().split('\n');
      expect(lines).toEqual([
        expect.stringMatching(/^signed in: session [0-9a-f-]{36}, scope "profile"$/),
        `GET /auth/me: ${user.username} (${user.id}), roles user`,
        `401, one refresh, one retry: ${user.username}; refreshes so far 1`,
        '5 concurrent requests, each 401 first, shared one refresh: 5 answers; refreshes so far 2',
        'logged out',
        'after logout: sign in again: invalid-refresh-token; refreshes so far 3',
      ]);
      // What the server saw, not what the client says: two refreshes went through (the third,
      // after logout, was refused), and no refresh token was ever presented twice.
      await until('both refreshes audited', async () => {
        return (await audited(user.id, 'TOKEN_REFRESHED')).length === 2;
      });
      expect(await audited(user.id, 'REFRESH_REUSE_DETECTED')).toEqual([]);
    });
  });

  describe('examples/nest-resource-server: passport-jwt and jwks-rsa', () => {
    let server: ResourceServer;

    beforeAll(async () => {
      server = await startResourceServer(tessera);
    });

    afterAll(() => {
      server?.child.kill('SIGTERM');
    });

    /** Answers 401 with a Bearer challenge, and logs `token refused: <reason>`. */
    async function expectRefused(token: string | undefined, reason: string): Promise<void> {
      const before = server.lines.length;
      const response = await server.http.get('/hello', token ? { token } : {});
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const refusals = () =>
        server.lines.slice(before).flatMap((l) => /token refused: .*$/.exec(l) ?? []);
      await until('a refusal logged', () => refusals().length > 0, 5000);
      expect(refusals()).toEqual([`token refused: ${reason}`]);
    }

    it('accepts an access token of Tessera, verified through its JWKS', async () => {
      const user = await register();
      const { access_token } = await login(credentials(user));
      const response = await server.http.get('/hello', { token: access_token });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ message: 'hello', sub: user.id, scope: 'profile' });
    });

    it('answers 403 to a valid token without the scope the route needs', async () => {
      const user = await register();
      const { access_token } = await login({ ...credentials(user), scope: 'users:read' });
      const response = await server.http.get('/hello', { token: access_token });
      expect(response.status).toBe(403);
    });

    it('refuses, and logs why, a token signed by Tessera for another audience or issuer', async () => {
      const user = await register();
      const { access_token } = await login(credentials(user));
      const key = await readSigningKey(tessera.env.jwt.keysDir, access_token);
      const forger = Forger.fromAccessToken(key, access_token);
      const { audience, issuer } = tessera.env.jwt;
      // Controls: the forger's untouched token is accepted, so each refusal is due to its change.
      expect((await server.http.get('/hello', { token: forger.token() })).status).toBe(200);
      await expectRefused(
        forger.token({ claims: { aud: 'billing-api' } }),
        `jwt audience invalid. expected: ${audience}`,
      );
      await expectRefused(
        forger.token({ claims: { iss: 'https://evil.example' } }),
        `jwt issuer invalid. expected: ${issuer}`,
      );
    });

    it('refuses tokens of other types, other keys, and no token at all', async () => {
      const user = await register();
      const { access_token, refresh_token } = await login(credentials(user));
      const key = await readSigningKey(tessera.env.jwt.keysDir, access_token);
      const forger = Forger.fromAccessToken(key, access_token);
      const ticket = await tessera.http.post('/auth/ws-ticket', undefined, { token: access_token });
      await expectRefused(
        forger.token({ header: { typ: 'JWT' } }),
        'jwt type invalid. expected: at+jwt, got: JWT',
      );
      // A WebSocket ticket is meant for Tessera's gateway alone: its audience gives it away first.
      await expectRefused(
        ticket.body.ticket,
        `jwt audience invalid. expected: ${tessera.env.jwt.audience}`,
      );
      const attacker = attackerKey('RS256').privateKey;
      await expectRefused(forger.signedWith('RS256', attacker), 'invalid signature');
      await expectRefused(
        forger.signedWith('RS256', attacker, { header: { kid: 'attacker' } }),
        "Unable to find a signing key that matches 'attacker'",
      );
      await expectRefused(refresh_token, 'jwt malformed');
      await expectRefused(undefined, 'No auth token');
    });
  });
});
