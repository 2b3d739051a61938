import { execFileSync, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { validateEnv } from '../src/config/env.validation';
import { cleanUp, startApp, TestApp, testEnvironment } from './support/test-app';

/**
 * `npm run seed`, the compiled CLI as a developer runs it, against the real Redis under this
 * file's own key prefix; the accounts it prints are then used on a real app over that store.
 */
const ROOT = resolve(__dirname, '..');

function seed(env: Record<string, string | undefined>) {
  const result = spawnSync('node', ['dist/cli/seed.js'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The `role username email password: secret` lines of a seed run. */
function printedAccounts(stdout: string) {
  return [...stdout.matchAll(/^(admin|user) +(\S+) +(\S+) +password: (\S+)$/gm)].map(
    ([, role, username, email, password]) => ({ role, username, email, password }),
  );
}

beforeAll(() => {
  // What `npm run seed` runs first (preseed): a build when a source is newer than dist/.
  execFileSync('node', ['build-if-stale.mjs'], { cwd: ROOT, stdio: 'ignore' });
}, 120_000);

describe('npm run seed', () => {
  const env = testEnvironment();
  let t: TestApp | undefined;
  let first: ReturnType<typeof printedAccounts> = [];

  afterAll(async () => {
    await t?.close();
    await cleanUp(validateEnv(env));
  });

  function app(): TestApp {
    if (!t) throw new Error('the first test starts the app');
    return t;
  }

  it('creates an admin and a plain user and prints their new passwords once', async () => {
    const run = seed(env);
    expect(run.code).toBe(0);
    first = printedAccounts(run.stdout);
    expect(first.map((a) => [a.role, a.username])).toEqual([
      ['admin', 'admin'],
      ['user', 'alice'],
    ]);
    expect(first[0].password).not.toBe(first[1].password);
    // The passwords are on stdout only: the log lines (stderr) never carry them.
    expect(run.stderr).not.toContain(first[0].password);

    t = await startApp(env);
    for (const account of first) {
      const login = await t.http.post('/auth/login', {
        username: account.username,
        password: account.password,
      });
      expect(login.status).toBe(200);
      const me = await t.http.get('/auth/me', { token: login.body.access_token });
      expect(me.body.roles.includes('admin')).toBe(account.role === 'admin');
    }
  }, 60_000);

  it('changes nothing when it runs again: no new password, the printed ones still sign in', async () => {
    const run = seed(env);
    expect(run.code).toBe(0);
    expect(printedAccounts(run.stdout)).toEqual([]);
    expect(run.stdout).toMatch(/Nothing to do/);
    const login = await app().http.post('/auth/login', {
      username: first[0].username,
      password: first[0].password,
    });
    expect(login.status).toBe(200);
  }, 60_000);

  it('refuses NODE_ENV=production, before anything else about the environment', () => {
    // JWT_ISSUER unset: a production start would be refused for it; the seed says why it stops.
    const run = seed({ ...env, NODE_ENV: 'production' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/refuses NODE_ENV=production/);
    expect(run.stderr).not.toMatch(/Invalid configuration/);
    expect(run.stdout).toBe('');
  });

  it('points to the bootstrap admin when there is no Redis to seed (the in-memory store)', () => {
    const run = seed({ ...env, REDIS_URL: undefined });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/BOOTSTRAP_ADMIN_EMAIL=.* BOOTSTRAP_ADMIN_PASSWORD=/s);
  });
});
