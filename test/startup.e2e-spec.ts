import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteKeysWithPrefix, randomPrefix, REDIS_URL } from './support/redis';
import { freePort } from './support/redis-server';
import { until } from './support/wait';

const ROOT = join(__dirname, '..');
const MAIN = join(ROOT, 'dist', 'main.js');
const PUBLIC_ISSUER = 'https://auth.example.com';

interface Exit {
  code: number | null;
  stderr: string;
}

/**
 * Production with no mail flow and no second factor: these cases are about other variables (mail
 * and MFA have their own).
 */
const PRODUCTION_WITHOUT_MAIL = {
  NODE_ENV: 'production',
  EMAIL_VERIFICATION: 'false',
  PASSWORD_RESET: 'false',
  MFA_TOTP: 'false',
  PASSKEYS: 'false',
};

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

/**
 * Starts the built service with `env` (plus PATH), waits until its log shows a line matching
 * `until`, then stops it (SIGTERM to its own PID) and returns what it logged.
 */
function runUntil(env: Record<string, string>, until: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN], {
      cwd: mkdtempSync(join(tmpdir(), 'tessera-start-')),
      env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
      if (until.test(output)) child.kill('SIGTERM');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('exit', () => {
      clearTimeout(timer);
      if (until.test(output)) resolve(output);
      else reject(new Error(`the service never logged ${until}:\n${output.slice(-2000)}`));
    });
  });
}

beforeAll(() => {
  // The process tests run the compiled service: build it so a stale dist/ can't stand in.
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
}, 120_000);

describe('npm start', () => {
  it('does not rebuild when no source changed since the last build', () => {
    const before = statSync(MAIN).mtimeMs;
    const said = execFileSync('npm', ['run', '--silent', 'prestart'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(said).toMatch(/dist\/ is up to date: not rebuilding/);
    expect(statSync(MAIN).mtimeMs).toBe(before);
  });
});

describe('start-up with a bad environment', () => {
  it.each([
    [{ PORT: 'abc' }, /^Invalid configuration: PORT must be a whole number/],
    [{ JWT_ALGORITHM: 'none' }, /^Invalid configuration: JWT_ALGORITHM must be one of/],
    [
      { JWT_ALGORITHM: 'HS256', JWT_SECRET: 'c2hvcnQ=' },
      /^Invalid configuration: JWT_SECRET must hold/,
    ],
    [
      { ...PRODUCTION_WITHOUT_MAIL, JWT_ISSUER: PUBLIC_ISSUER },
      /^Invalid configuration: REDIS_URL is required in production/,
    ],
    [
      {
        ...PRODUCTION_WITHOUT_MAIL,
        JWT_ISSUER: PUBLIC_ISSUER,
        REDIS_URL: 'redis://127.0.0.1:6379',
        COOKIE_SECURE: 'false',
      },
      /^Invalid configuration: COOKIE_SECURE must be true in production/,
    ],
    [
      { ...PRODUCTION_WITHOUT_MAIL, REDIS_URL: 'redis://127.0.0.1:6379' },
      /^Invalid configuration: JWT_ISSUER must be the public URL of the service in production, not http:\/\/localhost:3000$/,
    ],
  ])('exits with code 1 and one line naming the variable for %j', async (env, message) => {
    const { code, stderr } = await runService(env);
    expect(code).toBe(1);
    expect(stderr.trim()).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses production without SMTP_URL while a mail flow is on, with the MAIL_FROM and APP_URL it needs', async () => {
    const { code, stderr } = await runService({
      NODE_ENV: 'production',
      JWT_ISSUER: PUBLIC_ISSUER,
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      'Invalid configuration: SMTP_URL is required in production (EMAIL_VERIFICATION and PASSWORD_RESET are on; set EMAIL_VERIFICATION=false and PASSWORD_RESET=false to run without mail)',
      'Invalid configuration: MAIL_FROM must be an address of your domain in production, not @localhost (EMAIL_VERIFICATION and PASSWORD_RESET are on; set EMAIL_VERIFICATION=false and PASSWORD_RESET=false to run without mail)',
      'Invalid configuration: APP_URL must be the public URL of the web app in production (EMAIL_VERIFICATION and PASSWORD_RESET are on; set EMAIL_VERIFICATION=false and PASSWORD_RESET=false to run without mail)',
      'Invalid configuration: MFA_ENCRYPTION_KEY is required in production (MFA_TOTP is on; set MFA_TOTP=false to run without a second factor)',
      'Invalid configuration: WEBAUTHN_RP_ID is required in production (PASSKEYS is on; set PASSKEYS=false to run without passkeys)',
      'Invalid configuration: WEBAUTHN_ORIGINS is required in production (PASSKEYS is on; set PASSKEYS=false to run without passkeys)',
    ]);
  });

  it('refuses WEBAUTHN_ORIGINS outside WEBAUTHN_RP_ID in one line', async () => {
    const { code, stderr } = await runService({
      ...PRODUCTION_WITHOUT_MAIL,
      PASSKEYS: 'true',
      JWT_ISSUER: PUBLIC_ISSUER,
      REDIS_URL: 'redis://127.0.0.1:6379',
      WEBAUTHN_RP_ID: 'example.com',
      WEBAUTHN_ORIGINS: 'https://app.example.org',
    });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      'Invalid configuration: WEBAUTHN_ORIGINS must be https origins (or http://localhost) on WEBAUTHN_RP_ID or its subdomains',
    ]);
  });

  it('refuses an MFA_ENCRYPTION_KEY that is not 32 bytes, naming the variable and not its value', async () => {
    const key = Buffer.alloc(16, 7).toString('base64');
    const { code, stderr } = await runService({
      ...PRODUCTION_WITHOUT_MAIL,
      MFA_TOTP: 'true',
      JWT_ISSUER: PUBLIC_ISSUER,
      REDIS_URL: 'redis://127.0.0.1:6379',
      MFA_ENCRYPTION_KEY: key,
    });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      'Invalid configuration: MFA_ENCRYPTION_KEY must be 32 bytes, base64 (openssl rand -base64 32)',
    ]);
    expect(stderr).not.toContain(key);
  });

  it('reports two bad variables in two lines, then exits with code 1', async () => {
    const { code, stderr } = await runService({ PORT: 'abc', JWT_ACCESS_TTL: '5' });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      'Invalid configuration: PORT must be a whole number from 0 to 65535',
      'Invalid configuration: JWT_ACCESS_TTL must be a whole number from 30 to 86400',
    ]);
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
        ...PRODUCTION_WITHOUT_MAIL,
        JWT_ISSUER: PUBLIC_ISSUER,
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

describe('start-up with JWT_KEYS_PASSPHRASE over plaintext keys', () => {
  const LISTENING = /Listening on /;
  const WARNING =
    /JWT_KEYS_PASSPHRASE is set, but 1 private key\(s\) in JWT_KEYS_DIR are stored unencrypted \(\S+\): encrypt them in place with `npm run keys:encrypt`/;
  let keysDir: string;

  beforeAll(() => {
    keysDir = mkdtempSync(join(tmpdir(), 'tessera-plain-keys-'));
  });
  afterAll(() => rmSync(keysDir, { recursive: true, force: true }));

  it('warns in one line and names the command, which encrypts them, after which it is quiet', async () => {
    // First start without a passphrase: the generated key is written in plaintext.
    await runUntil({ JWT_KEYS_DIR: keysDir }, LISTENING);
    const passphrase = { JWT_KEYS_DIR: keysDir, JWT_KEYS_PASSPHRASE: 'a passphrase for the keys' };
    const warned = await runUntil(passphrase, LISTENING);
    expect(warned.split('\n').filter((line) => WARNING.test(line))).toHaveLength(1);
    expect(warned).not.toContain('a passphrase for the keys');

    const encrypted = execFileSync(
      process.execPath,
      [join(ROOT, 'dist', 'cli', 'keys.js'), 'encrypt'],
      {
        cwd: keysDir,
        env: { PATH: process.env.PATH ?? '', ...passphrase },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    expect(encrypted).toMatch(/^Encrypted key \S+ with JWT_KEYS_PASSPHRASE\.$/m);
    expect(await runUntil(passphrase, LISTENING)).not.toMatch(/JWT_KEYS_PASSPHRASE is set/);
  }, 60_000);
});

describe('stopping a production instance', () => {
  let keysDir: string;
  const prefix = randomPrefix();

  beforeAll(() => {
    keysDir = mkdtempSync(join(tmpdir(), 'tessera-stop-keys-'));
  });
  afterAll(async () => {
    rmSync(keysDir, { recursive: true, force: true });
    await deleteKeysWithPrefix(prefix);
  });

  it('writes every batched log line before it exits on SIGTERM (none were written before)', async () => {
    const port = await freePort();
    const env = {
      PATH: process.env.PATH ?? '',
      ...PRODUCTION_WITHOUT_MAIL,
      HOST: '127.0.0.1',
      PORT: String(port),
      JWT_ISSUER: PUBLIC_ISSUER,
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      JWT_KEYS_DIR: keysDir,
    };
    // Production never generates a key at boot: the keys CLI makes the first one.
    execFileSync(process.execPath, [join(ROOT, 'dist', 'cli', 'keys.js'), 'rotate'], {
      env,
      stdio: 'ignore',
    });
    const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    try {
      const base = `http://127.0.0.1:${port}`;
      await until(
        'the service is ready',
        async () => (await fetch(`${base}/health/ready`)).status === 200,
        20_000,
      );
      const missing = `/no-such-route-${process.pid}`;
      expect((await fetch(`${base}${missing}`)).status).toBe(404);
      expect((await fetch(`${base}/auth/me`)).status).toBe(401);
      // Far less than one 4 KiB batch has been logged: nothing is on stdout yet.
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const lines = stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { msg: string; req?: { url: string } });
      expect(lines.map((line) => line.msg)).toContain(
        'Listening on 127.0.0.1:' + port + '; Swagger UI off (DOCS_ENABLED)',
      );
      const completed = lines.filter((line) => line.msg === 'request completed');
      expect(completed.map((line) => line.req?.url)).toEqual(
        expect.arrayContaining([missing, '/auth/me']),
      );
    } finally {
      clearTimeout(killer);
      child.kill('SIGKILL');
    }
  }, 60_000);
});
