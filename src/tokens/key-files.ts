import { createPrivateKey, generateKeyPair, KeyObject, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { JwtAlgorithm } from '../config/env.validation';

/** What keyring.json remembers of each key; the private keys sit beside it as `<kid>.pem`. */
export interface KeyRecord {
  kid: string;
  alg: JwtAlgorithm;
  /** ISO 8601: when the key was generated (and published in the JWKS). */
  createdAt: string;
  /**
   * ISO 8601: from when it signs. A rotation sets it a few seconds ahead, so every instance has
   * re-read the keyring and can verify the key before any instance signs with it.
   */
  activatesAt: string;
}

export interface Keyring {
  keys: KeyRecord[];
}

const KEYRING = 'keyring.json';
const PEM_NAME = /^[A-Za-z0-9_-]{16,128}$/;
const generateKeyPairAsync = promisify(generateKeyPair);

export function keyringPath(dir: string): string {
  return join(dir, KEYRING);
}

/**
 * Reads keyring.json; null when the directory has none yet. A keyring written before rotation
 * existed (`active` plus `retiredAt`, no `activatesAt`) reads as keys active from their creation.
 */
export async function readKeyring(dir: string): Promise<Keyring | null> {
  let text: string;
  try {
    text = await readFile(keyringPath(dir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const parsed = JSON.parse(text) as { keys?: Partial<KeyRecord>[] };
  if (!Array.isArray(parsed.keys)) throw new Error(`${keyringPath(dir)} has no keys array`);
  return { keys: parsed.keys.map(keyRecord) };
}

function keyRecord(raw: Partial<KeyRecord>): KeyRecord {
  const { kid, alg, createdAt } = raw;
  // The kid names a file: refuse anything that could step out of the directory.
  if (typeof kid !== 'string' || !PEM_NAME.test(kid)) throw new Error('keyring: bad kid');
  if (typeof alg !== 'string' || typeof createdAt !== 'string') {
    throw new Error(`keyring: key ${kid} lacks alg or createdAt`);
  }
  return { kid, alg, createdAt, activatesAt: raw.activatesAt ?? createdAt };
}

/** Writes keyring.json atomically (temp file + rename), so a reader never sees half a file. */
export async function writeKeyring(dir: string, keyring: Keyring): Promise<void> {
  const temp = join(dir, `${KEYRING}.${randomBytes(6).toString('hex')}.tmp`);
  await writeFile(temp, JSON.stringify(keyring, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  await rename(temp, keyringPath(dir));
}

/**
 * What changes whenever keyring.json is replaced (the rename gives it a new inode), cheap enough
 * to poll every second; null while there is none.
 */
export async function keyringVersion(dir: string): Promise<string | null> {
  try {
    const info = await stat(keyringPath(dir));
    return `${info.ino}:${info.mtimeMs}:${info.size}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** A new private key; async so a rotation inside a running instance does not stall requests. */
export async function generatePrivateKey(
  alg: Exclude<JwtAlgorithm, 'HS256'>,
  rsaBits: number,
): Promise<KeyObject> {
  switch (alg) {
    case 'RS256':
    case 'PS256':
      return (await generateKeyPairAsync('rsa', { modulusLength: rsaBits })).privateKey;
    case 'ES256':
      return (await generateKeyPairAsync('ec', { namedCurve: 'P-256' })).privateKey;
  }
}

/** Creates the keys directory owner-only (0700) when it does not exist yet. */
export async function ensureKeysDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

/** PKCS#8 PEM, encrypted (AES-256-CBC) when there is a passphrase. */
function privatePem(key: KeyObject, passphrase: string | null): string | Buffer {
  return passphrase
    ? key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase })
    : key.export({ type: 'pkcs8', format: 'pem' });
}

/** Private keys are written 0600, encrypted with the passphrase when one is configured. */
export async function writePrivateKey(
  dir: string,
  kid: string,
  key: KeyObject,
  passphrase: string | null,
): Promise<void> {
  await ensureKeysDir(dir);
  const file = join(dir, `${kid}.pem`);
  // `wx`: never overwrite a key that may already sign tokens; the mode survives any umask.
  await writeFile(file, privatePem(key, passphrase), { mode: 0o600, flag: 'wx' });
  await chmod(file, 0o600);
}

/** PKCS#8 (`ENCRYPTED PRIVATE KEY`) or traditional PEM (`Proc-Type: 4,ENCRYPTED`) encryption. */
const ENCRYPTED_PEM = /-----BEGIN ENCRYPTED PRIVATE KEY-----|^Proc-Type: 4,ENCRYPTED/m;

/**
 * The kids whose private key file is stored unencrypted (files already gone are skipped). Node
 * reads a plaintext PEM even when given a passphrase, so nothing else would ever notice.
 */
export async function plaintextKeys(dir: string, kids: readonly string[]): Promise<string[]> {
  const plaintext: string[] = [];
  for (const kid of kids) {
    const pem = await readFile(join(dir, `${kid}.pem`), 'utf8').catch(ignoreMissing);
    if (pem !== null && !ENCRYPTED_PEM.test(pem)) plaintext.push(kid);
  }
  return plaintext;
}

/**
 * Encrypts `<kid>.pem` in place with the passphrase; false when it already was encrypted (or is
 * gone). Temp file + rename: a reader sees the old file or the new one, and both open with the
 * passphrase, so running instances and a restart in between never fail to read the key.
 */
export async function encryptPrivateKeyFile(
  dir: string,
  kid: string,
  passphrase: string,
): Promise<boolean> {
  const file = join(dir, `${kid}.pem`);
  const pem = await readFile(file, 'utf8').catch(ignoreMissing);
  if (pem === null || ENCRYPTED_PEM.test(pem)) return false;
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, privatePem(createPrivateKey(pem), passphrase), { mode: 0o600, flag: 'wx' });
  await chmod(temp, 0o600);
  await rename(temp, file);
  return true;
}

function ignoreMissing(error: NodeJS.ErrnoException): null {
  if (error.code === 'ENOENT') return null;
  throw error;
}

export async function readPrivateKey(
  dir: string,
  kid: string,
  passphrase: string | null,
): Promise<KeyObject> {
  const pem = await readFile(join(dir, `${kid}.pem`), 'utf8');
  return createPrivateKey(passphrase ? { key: pem, format: 'pem', passphrase } : pem);
}

/** Removes a private key that can no longer verify any token; a missing file is fine. */
export async function deletePrivateKey(dir: string, kid: string): Promise<void> {
  await unlink(join(dir, `${kid}.pem`)).catch(ignoreMissing);
}
