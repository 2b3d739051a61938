import { INestApplicationContext } from '@nestjs/common';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { AuditEventType } from '../audit/audit-event';
import { AuditService } from '../audit/audit.service';
import { validateEnv } from '../config/env.validation';
import { plaintextKeys, readPrivateKey } from '../tokens/key-files';
import { KeyRotation } from '../tokens/key-rotation';
import { deleteKeysWithPrefix, randomPrefix, REDIS_URL } from '../../test/support/redis';
import { runKeysCommand } from './keys.command';
import { createKeysContext } from './keys.context';

describe('the keys command (Nest standalone context)', () => {
  const prefix = randomPrefix();
  const logs: string[] = [];
  let dir: string;
  let context: INestApplicationContext;

  const run = async (...args: string[]) => {
    const out: string[] = [];
    const code = await runKeysCommand(context.get(KeyRotation), args, (line) => out.push(line));
    return { code, out: out.join('\n') };
  };

  beforeAll(async () => {
    dir = join(mkdtempSync(join(tmpdir(), 'tessera-keys-cli-')), 'keys');
    // Production: keys are never generated at boot there, but keys:rotate must work.
    const env = validateEnv({
      NODE_ENV: 'production',
      REDIS_URL,
      JWT_ISSUER: 'https://auth.example.com',
      REDIS_KEY_PREFIX: prefix,
      COOKIE_SECURE: 'true',
      JWT_ALGORITHM: 'ES256',
      JWT_KEYS_DIR: dir,
      JWT_KEYS_PASSPHRASE: 'cli passphrase',
      EMAIL_VERIFICATION: 'false',
      PASSWORD_RESET: 'false',
      MFA_TOTP: 'false',
      PASSKEYS: 'false',
    });
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        logs.push(chunk.toString());
        done();
      },
    });
    context = await createKeysContext(env, sink);
  });

  afterAll(async () => {
    await context.close();
    await deleteKeysWithPrefix(prefix);
    rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  it('creates the first key with rotate, in production, and lists it as active', async () => {
    const rotated = await run('rotate');
    expect(rotated.code).toBe(0);
    const kid = /Added ES256 key (\S+);/.exec(rotated.out)?.[1];
    expect(kid).toBeDefined();
    const listed = await run('list');
    expect(listed.out.split('\n')).toEqual([
      expect.stringMatching(
        /^STATE\s+KID\s+ALG\s+CREATED\s+SIGNS FROM\s+SIGNS UNTIL\s+VERIFIES UNTIL$/,
      ),
      expect.stringMatching(new RegExp(`^active\\s+${kid}\\s+ES256\\s+\\S+Z\\s+\\S+Z\\s+-\\s+-$`)),
    ]);
  });

  it('adds a next key with its activation date, and shows when the active one retires', async () => {
    expect((await run('rotate', '--activate-in', '30')).code).toBe(0);
    const keys: { state: string; retiresAt: string | null; activatesAt: string }[] = JSON.parse(
      (await run('list', '--json')).out,
    );
    expect(keys.map((k) => k.state)).toEqual(['active', 'next']);
    expect(keys[0].retiresAt).toBe(keys[1].activatesAt);
    expect(Date.parse(keys[1].activatesAt) - Date.now()).toBeGreaterThan(25_000);
  });

  it('records KEY_ROTATED in the shared audit trail and in the log', async () => {
    const events = await context
      .get(AuditService)
      .list({ event: AuditEventType.KeyRotated, limit: 10 });
    expect(events).toHaveLength(2);
    expect(events[0].details).toEqual(
      expect.objectContaining({ previousKid: events[1].details.kid, alg: 'ES256' }),
    );
    expect(logs.join('')).toContain('"event":"KEY_ROTATED"');
    expect(logs.join('')).not.toContain('cli passphrase');
  });

  it('encrypts, with encrypt, a private key left in plaintext, and only that one', async () => {
    const [first, second] = JSON.parse((await run('list', '--json')).out) as { kid: string }[];
    const key = await readPrivateKey(dir, first.kid, 'cli passphrase');
    writeFileSync(join(dir, `${first.kid}.pem`), key.export({ type: 'pkcs8', format: 'pem' }));
    expect(await run('encrypt')).toEqual({
      code: 0,
      out: `Encrypted key ${first.kid} with JWT_KEYS_PASSPHRASE.`,
    });
    expect(await plaintextKeys(dir, [first.kid, second.kid])).toEqual([]);
    expect((await readPrivateKey(dir, first.kid, 'cli passphrase')).equals(key)).toBe(true);
    expect(await run('encrypt')).toEqual({
      code: 0,
      out: 'Every private key is already encrypted.',
    });
  });

  it.each([
    [[]],
    [['rotate', '--activate-in', 'soon']],
    [['list', '--yaml']],
    [['encrypt', '--all']],
    [['delete']],
  ])('prints the usage and exits 2 for %j', async (args) => {
    const result = await run(...args);
    expect(result).toEqual({ code: 2, out: expect.stringContaining('Usage: keys rotate') });
  });
});
