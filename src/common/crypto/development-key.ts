import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A 32-byte key of a development host, read from `file` in `dir` (beside the signing keys,
 * JWT_KEYS_DIR, git-ignored with them) or made there once, so a development store survives
 * restarts and every instance on one keys dir shares it. Never for production: there start-up
 * requires the variable that names the key. `made` is called once, by the process that made the
 * file (to warn that the variable is not set).
 */
export async function developmentKey(
  dir: string,
  file: string,
  made: (path: string) => void,
): Promise<Buffer> {
  const path = join(dir, file);
  // Two processes starting at once on one directory: one creates the file ('wx'), the other
  // reads it, waiting a moment if it caught the file before its key was written.
  for (let tries = 0; tries < 50; tries++) {
    const existing = await readKey(path);
    if (existing?.length === 32) return existing;
    if (existing && existing.length > 0) throw new Error(`${path} does not hold a 32-byte key`);
    if (!existing && (await createKey(path, dir))) {
      made(path);
      return (await readKey(path)) as Buffer;
    }
    await sleep(20);
  }
  throw new Error(`${path} stayed empty`);
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
  return true;
}
