import { FactoryProvider, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SecretBox } from '../../common/crypto/secret-box';
import { jwtConfig, JwtConfig, mfaConfig, MfaConfig } from '../../config/configuration';

/** Injection token of the SecretBox that seals TOTP secrets at rest. */
export const MFA_SECRET_BOX = Symbol('MfaSecretBox');

/** The development key file, beside the signing keys (git-ignored with them). */
export const DEVELOPMENT_KEY_FILE = 'mfa-encryption.key';

/**
 * The box of MFA_ENCRYPTION_KEY. Without it (never in production: start-up refuses that) a key
 * of its own is read from, or made once in, JWT_KEYS_DIR, so a development store with TOTP
 * secrets keeps working across restarts.
 */
export const mfaSecretBoxProvider: FactoryProvider<SecretBox> = {
  provide: MFA_SECRET_BOX,
  inject: [mfaConfig.KEY, jwtConfig.KEY],
  useFactory: async (mfa: MfaConfig, jwt: JwtConfig): Promise<SecretBox> => {
    if (mfa.encryptionKey) return new SecretBox(mfa.encryptionKey);
    return new SecretBox(await developmentKey(jwt.keysDir));
  },
};

async function developmentKey(dir: string): Promise<Buffer> {
  const file = join(dir, DEVELOPMENT_KEY_FILE);
  // Two processes starting at once on one directory: one creates the file ('wx'), the other
  // reads it, waiting a moment if it caught the file before its key was written.
  for (let tries = 0; tries < 50; tries++) {
    const existing = await readKey(file);
    if (existing?.length === 32) return existing;
    if (existing && existing.length > 0) throw new Error(`${file} does not hold a 32-byte key`);
    if (!existing && (await createKey(file, dir))) return (await readKey(file)) as Buffer;
    await sleep(20);
  }
  throw new Error(`${file} stayed empty`);
}

/** The key in `file`, an empty buffer for an empty file, null when there is no file. */
async function readKey(file: string): Promise<Buffer | null> {
  try {
    return Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Makes the key file; false when another process made it first. */
async function createKey(file: string, dir: string): Promise<boolean> {
  await mkdir(dir, { recursive: true });
  try {
    await writeFile(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  new Logger('Mfa').warn(
    `MFA_ENCRYPTION_KEY is not set: TOTP secrets are sealed with a development key made in ${file}`,
  );
  return true;
}
