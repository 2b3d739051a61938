import { generateKeyPairSync, KeyObject, createPrivateKey } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JwtAlgorithm } from '../config/env.validation';

/** What keyring.json remembers of each key; the private keys sit beside it as `<kid>.pem`. */
export interface KeyRecord {
  kid: string;
  alg: JwtAlgorithm;
  /** ISO 8601: when the key was generated. */
  createdAt: string;
  /** ISO 8601: when it stopped signing (a newer key became active); null while active. */
  retiredAt: string | null;
}

export interface Keyring {
  active: string;
  keys: KeyRecord[];
}

const KEYRING = 'keyring.json';

/** Reads keyring.json; null when the directory has none yet. */
export async function readKeyring(dir: string): Promise<Keyring | null> {
  try {
    return JSON.parse(await readFile(join(dir, KEYRING), 'utf8')) as Keyring;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Writes keyring.json atomically (temp file + rename), so a reader never sees half a file. */
export async function writeKeyring(dir: string, keyring: Keyring): Promise<void> {
  const temp = join(dir, `${KEYRING}.${process.pid}.tmp`);
  await writeFile(temp, JSON.stringify(keyring, null, 2), { mode: 0o600 });
  await rename(temp, join(dir, KEYRING));
}

export function generatePrivateKey(
  alg: Exclude<JwtAlgorithm, 'HS256'>,
  rsaBits: number,
): KeyObject {
  switch (alg) {
    case 'RS256':
    case 'PS256':
      return generateKeyPairSync('rsa', { modulusLength: rsaBits }).privateKey;
    case 'ES256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  }
}

/** Private keys are written 0600, encrypted with the passphrase when one is configured. */
export async function writePrivateKey(
  dir: string,
  kid: string,
  key: KeyObject,
  passphrase: string | null,
): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const pem = passphrase
    ? key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase })
    : key.export({ type: 'pkcs8', format: 'pem' });
  const file = join(dir, `${kid}.pem`);
  await writeFile(file, pem, { mode: 0o600, flag: 'wx' });
  await chmod(file, 0o600);
}

export async function readPrivateKey(
  dir: string,
  kid: string,
  passphrase: string | null,
): Promise<KeyObject> {
  const pem = await readFile(join(dir, `${kid}.pem`), 'utf8');
  return createPrivateKey(passphrase ? { key: pem, format: 'pem', passphrase } : pem);
}
