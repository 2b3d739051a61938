import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  encryptPrivateKeyFile,
  generatePrivateKey,
  keyringVersion,
  plaintextKeys,
  readKeyring,
  readPrivateKey,
  writeKeyring,
  writePrivateKey,
} from './key-files';

describe('key files', () => {
  let parent: string;
  let dir: string;

  beforeEach(() => {
    parent = mkdtempSync(join(tmpdir(), 'tessera-key-files-'));
    dir = join(parent, 'keys');
  });
  afterEach(() => rmSync(parent, { recursive: true, force: true }));

  it('creates the keys dir 0700 and writes private keys 0600', async () => {
    await writePrivateKey(dir, 'kid-aaaaaaaaaaaaaa', await generatePrivateKey('ES256', 2048), null);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'kid-aaaaaaaaaaaaaa.pem')).mode & 0o777).toBe(0o600);
  });

  it('encrypts private keys with the passphrase and reads them back only with it', async () => {
    const key = await generatePrivateKey('ES256', 2048);
    await writePrivateKey(dir, 'kid-bbbbbbbbbbbbbb', key, 'correct horse');
    const pem = await readFile(join(dir, 'kid-bbbbbbbbbbbbbb.pem'), 'utf8');
    expect(pem).toContain('BEGIN ENCRYPTED PRIVATE KEY');
    const read = await readPrivateKey(dir, 'kid-bbbbbbbbbbbbbb', 'correct horse');
    expect(read.equals(key)).toBe(true);
    await expect(readPrivateKey(dir, 'kid-bbbbbbbbbbbbbb', 'wrong')).rejects.toThrow();
    await expect(readPrivateKey(dir, 'kid-bbbbbbbbbbbbbb', null)).rejects.toThrow();
  });

  it('encrypts a plaintext private key in place, 0600, to the same key, and only once', async () => {
    const key = await generatePrivateKey('ES256', 2048);
    await writePrivateKey(dir, 'kid-plain-aaaaaaaaa', key, null);
    await writePrivateKey(dir, 'kid-sealed-aaaaaaaa', key, 'old horse');
    const kids = ['kid-plain-aaaaaaaaa', 'kid-sealed-aaaaaaaa', 'kid-gone-aaaaaaaaaa'];
    expect(await plaintextKeys(dir, kids)).toEqual(['kid-plain-aaaaaaaaa']);
    expect(await encryptPrivateKeyFile(dir, 'kid-plain-aaaaaaaaa', 'new horse')).toBe(true);
    expect(await plaintextKeys(dir, kids)).toEqual([]);
    const file = join(dir, 'kid-plain-aaaaaaaaa.pem');
    expect(await readFile(file, 'utf8')).toContain('BEGIN ENCRYPTED PRIVATE KEY');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await readPrivateKey(dir, 'kid-plain-aaaaaaaaa', 'new horse')).equals(key)).toBe(true);
    // Already encrypted (with whatever passphrase) or gone: left as it is.
    expect(await encryptPrivateKeyFile(dir, 'kid-sealed-aaaaaaaa', 'new horse')).toBe(false);
    expect(await encryptPrivateKeyFile(dir, 'kid-gone-aaaaaaaaaa', 'new horse')).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['kid-plain-aaaaaaaaa.pem', 'kid-sealed-aaaaaaaa.pem']);
  });

  it('never overwrites an existing private key', async () => {
    const key = await generatePrivateKey('ES256', 2048);
    await writePrivateKey(dir, 'kid-cccccccccccccc', key, null);
    await expect(writePrivateKey(dir, 'kid-cccccccccccccc', key, null)).rejects.toThrow(/EEXIST/);
  });

  it('replaces keyring.json atomically and changes its version each time', async () => {
    await writePrivateKey(dir, 'kid-dddddddddddddd', await generatePrivateKey('ES256', 2048), null);
    expect(await keyringVersion(dir)).toBeNull();
    const keys = [
      { kid: 'kid-dddddddddddddd', alg: 'ES256' as const, createdAt: 'x', activatesAt: 'x' },
    ];
    await writeKeyring(dir, { keys });
    const first = await keyringVersion(dir);
    await writeKeyring(dir, { keys });
    expect(await keyringVersion(dir)).not.toBe(first);
    expect(await readKeyring(dir)).toEqual({ keys });
    expect(readdirSync(dir).sort()).toEqual(['keyring.json', 'kid-dddddddddddddd.pem']);
    expect(statSync(join(dir, 'keyring.json')).mode & 0o777).toBe(0o600);
  });

  it('reads a keyring from before rotation as keys active since their creation', async () => {
    await writePrivateKey(dir, 'kid-eeeeeeeeeeeeee', await generatePrivateKey('ES256', 2048), null);
    const createdAt = '2026-01-01T00:00:00.000Z';
    writeFileSync(
      join(dir, 'keyring.json'),
      JSON.stringify({
        active: 'kid-eeeeeeeeeeeeee',
        keys: [{ kid: 'kid-eeeeeeeeeeeeee', alg: 'RS256', createdAt, retiredAt: null }],
      }),
    );
    expect(await readKeyring(dir)).toEqual({
      keys: [{ kid: 'kid-eeeeeeeeeeeeee', alg: 'RS256', createdAt, activatesAt: createdAt }],
    });
  });

  it('refuses a kid that could name a file outside the keys dir', async () => {
    await writePrivateKey(dir, 'kid-ffffffffffffff', await generatePrivateKey('ES256', 2048), null);
    const keys = [{ kid: '../../etc/passwd-xxxxx', alg: 'ES256', createdAt: 'x' }];
    writeFileSync(join(dir, 'keyring.json'), JSON.stringify({ keys }));
    await expect(readKeyring(dir)).rejects.toThrow(/bad kid/);
  });
});
