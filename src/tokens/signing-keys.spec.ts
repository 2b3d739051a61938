import { Logger } from '@nestjs/common';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuditService } from '../audit/audit.service';
import { ManualClock } from '../common/time/manual-clock';
import { EnvError } from '../config/env.parsers';
import { validateEnv } from '../config/env.validation';
import { KeyRotation } from './key-rotation';
import { SigningKeys } from './signing-keys';

describe('SigningKeys', () => {
  let dir: string;
  let clock: ManualClock;
  const started: SigningKeys[] = [];

  const env = (overrides: Record<string, string> = {}) =>
    validateEnv({
      JWT_ALGORITHM: 'ES256',
      JWT_KEYS_DIR: dir,
      JWT_ACCESS_TTL: '60',
      JWT_CLOCK_SKEW: '10',
      ...overrides,
    });
  const rotation = (overrides: Record<string, string> = {}) =>
    new KeyRotation(env(overrides).jwt, clock, { record: jest.fn() } as unknown as AuditService);
  const instance = async (overrides: Record<string, string> = {}) => {
    const { jwt, app } = env(overrides);
    const keys = new SigningKeys(jwt, app, clock, rotation(overrides));
    await keys.onModuleInit();
    started.push(keys);
    return keys;
  };
  const kids = (keys: SigningKeys) => keys.jwks().keys.map((k) => (k as { kid: string }).kid);

  let loggedError: jest.SpyInstance;

  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation();
    jest.spyOn(Logger.prototype, 'warn').mockImplementation();
    loggedError = jest.spyOn(Logger.prototype, 'error').mockImplementation();
    dir = join(mkdtempSync(join(tmpdir(), 'tessera-signing-keys-')), 'keys');
    clock = new ManualClock();
  });
  afterEach(() => {
    jest.restoreAllMocks();
    started.splice(0).forEach((keys) => keys.onModuleDestroy());
    rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  it('gives instances booting together on an empty keys dir the same key', async () => {
    const [a, b] = await Promise.all([instance(), instance()]);
    expect(a.active.kid).toBe(b.active.kid);
  });

  it('refuses to generate a key at boot in production', async () => {
    const production = {
      NODE_ENV: 'production',
      REDIS_URL: 'redis://127.0.0.1:6379',
      JWT_ISSUER: 'https://auth.example.com',
      COOKIE_SECURE: 'true',
      EMAIL_VERIFICATION: 'false',
      PASSWORD_RESET: 'false',
      MFA_TOTP: 'false',
      PASSKEYS: 'false',
    };
    await expect(instance(production)).rejects.toThrow(EnvError);
  });

  it('picks up a rotation made elsewhere within about a second, without a restart', async () => {
    const keys = await instance();
    const before = keys.active.kid;
    const { kid } = await rotation().rotate();
    for (let i = 0; i < 40 && !kids(keys).includes(kid); i++) await sleep(50);
    expect(kids(keys)).toEqual([kid, before]); // published, newest first
    expect(keys.verificationKey(kid)?.kid).toBe(kid); // verifies before it signs
    expect(keys.active.kid).toBe(before);
    clock.advance(5000);
    expect(keys.active.kid).toBe(kid);
  });

  it('verifies with the old key until access TTL plus skew after it retired, then drops it', async () => {
    const keys = await instance();
    const old = keys.active.kid;
    const { kid } = await rotation().rotate();
    expect((await keys.findVerificationKey(kid))?.kid).toBe(kid);
    clock.advance(5000 + 70_000 - 1);
    expect(keys.verificationKey(old)?.kid).toBe(old);
    expect(kids(keys)).toEqual([kid, old]);
    clock.advance(1);
    expect(keys.verificationKey(old)).toBeUndefined();
    expect(kids(keys)).toEqual([kid]);
  });

  it('re-reads the keyring at once for an unknown kid, at most once a second', async () => {
    const keys = await instance();
    keys.onModuleDestroy(); // no polling: only the unknown-kid path may load new keys
    const first = await rotation().rotate();
    expect((await keys.findVerificationKey(first.kid))?.kid).toBe(first.kid);
    const second = await rotation().rotate();
    expect(await keys.findVerificationKey(second.kid)).toBeUndefined();
    expect(await keys.findVerificationKey('forged-kid-xxxxxxxx')).toBeUndefined();
    clock.advance(1000);
    expect((await keys.findVerificationKey(second.kid))?.kid).toBe(second.kid);
  });

  it('keeps its keys, and says why, when a reload finds a broken keyring', async () => {
    const keys = await instance();
    keys.onModuleDestroy();
    const active = keys.active.kid;
    writeFileSync(join(dir, 'keyring.json'), '{"keys": [{"kid": "../../etc/passwd"}]}');
    expect(await keys.findVerificationKey('unknown-kid-xxxxxxxx')).toBeUndefined();
    expect(keys.active.kid).toBe(active);
    expect(keys.verificationKey(active)?.kid).toBe(active);
    expect(loggedError).toHaveBeenCalledWith(expect.stringMatching(/Keeping the current keys/));
  });

  it('refuses to boot when the active key is of another algorithm', async () => {
    await rotation({ JWT_ALGORITHM: 'RS256' }).rotate();
    await expect(instance()).rejects.toThrow(/JWT_ALGORITHM/);
  });

  it('warns at start-up, naming the fix, when JWT_KEYS_PASSPHRASE is set over a plaintext key', async () => {
    const plaintext = (await instance()).active.kid; // generated without a passphrase
    const warnings = () => jest.mocked(Logger.prototype.warn).mock.calls.map((c) => String(c[0]));
    await instance({ JWT_KEYS_PASSPHRASE: 'pass phrase 1' });
    const warning = warnings().filter((w) => w.startsWith('JWT_KEYS_PASSPHRASE'));
    expect(warning).toEqual([expect.stringContaining(plaintext)]);
    expect(warning[0]).toMatch(/stored unencrypted .*npm run keys:encrypt/);
    expect(warning[0]).not.toContain('pass phrase 1');
  });

  it('says nothing of the kind when every key is encrypted', async () => {
    await instance({ JWT_KEYS_PASSPHRASE: 'pass phrase 2' });
    await instance({ JWT_KEYS_PASSPHRASE: 'pass phrase 2' });
    expect(Logger.prototype.warn).not.toHaveBeenCalledWith(
      expect.stringMatching(/^JWT_KEYS_PASSPHRASE/),
    );
  });

  it('publishes no key under HS256 and signs with the secret', async () => {
    const secret = Buffer.alloc(32, 7).toString('base64');
    const keys = await instance({ JWT_ALGORITHM: 'HS256', JWT_SECRET: secret });
    expect(keys.jwks()).toEqual({ keys: [] });
    expect(keys.active.signingKey.export()).toEqual(Buffer.alloc(32, 7));
  });
});
