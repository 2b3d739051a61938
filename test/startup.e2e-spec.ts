import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const MAIN = join(ROOT, 'dist', 'main.js');

interface Exit {
  code: number | null;
  stderr: string;
}

/** Runs the built service with exactly `env` (plus PATH) and waits for it to exit. */
function runService(env: Record<string, string>): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN], {
      cwd: mkdtempSync(join(tmpdir(), 'tessera-start-')), // no .env, no keys
      env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

beforeAll(() => {
  // The process tests run the compiled service: build it so a stale dist/ can't stand in.
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
}, 120_000);

describe('start-up with a bad environment', () => {
  it.each([
    [{ PORT: 'abc' }, /^Invalid configuration: PORT must be a whole number/],
    [{ JWT_ALGORITHM: 'none' }, /^Invalid configuration: JWT_ALGORITHM must be one of/],
    [
      { JWT_ALGORITHM: 'HS256', JWT_SECRET: 'c2hvcnQ=' },
      /^Invalid configuration: JWT_SECRET must hold/,
    ],
    [{ NODE_ENV: 'production' }, /^Invalid configuration: REDIS_URL is required in production/],
    [
      { NODE_ENV: 'production', REDIS_URL: 'redis://127.0.0.1:6379', COOKIE_SECURE: 'false' },
      /^Invalid configuration: COOKIE_SECURE must be true in production/,
    ],
  ])('exits with code 1 and one line naming the variable for %j', async (env, message) => {
    const { code, stderr } = await runService(env);
    expect(code).toBe(1);
    expect(stderr.trim()).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses a bootstrap admin password that fails the policy in one line, never showing it', async () => {
    const { code, stderr } = await runService({
      BOOTSTRAP_ADMIN_EMAIL: 'admin@example.com',
      BOOTSTRAP_ADMIN_PASSWORD: 'password1234',
    });
    expect(code).toBe(1);
    expect(stderr.trim()).toMatch(
      /^Invalid configuration: BOOTSTRAP_ADMIN_PASSWORD fails the password policy: password is too common$/,
    );
    expect(stderr).not.toContain('password1234');
  });

  it('refuses to generate signing keys in production', async () => {
    const keysDir = mkdtempSync(join(tmpdir(), 'tessera-empty-keys-'));
    try {
      const { code, stderr } = await runService({
        NODE_ENV: 'production',
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        REDIS_KEY_PREFIX: `tessera-start-test:${process.pid}:`,
        JWT_KEYS_DIR: keysDir,
      });
      expect(code).toBe(1);
      expect(stderr.trim()).toMatch(/^Invalid configuration: JWT_KEYS_DIR holds no RS256 key/);
      expect(stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      rmSync(keysDir, { recursive: true, force: true });
    }
  });
});
