import { open, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureKeysDir } from './key-files';

const LOCK = 'keyring.lock';
/** A lock older than this was left by a process that died mid-write; no write takes this long. */
const STALE_AFTER_MS = 30_000;
const RETRY_MS = 25;
const WAIT_AT_MOST_MS = 15_000;

/**
 * Runs `change` while holding `<dir>/keyring.lock`, created with O_EXCL (`wx`), so two processes
 * (instances booting on an empty directory, a rotation racing another) never both read-modify-write
 * keyring.json: the loser waits, then re-reads what the winner wrote.
 */
export async function withKeyringLock<T>(dir: string, change: () => Promise<T>): Promise<T> {
  await ensureKeysDir(dir);
  const lock = join(dir, LOCK);
  await acquire(lock);
  try {
    return await change();
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}

async function acquire(lock: string): Promise<void> {
  const deadline = Date.now() + WAIT_AT_MOST_MS;
  for (;;) {
    try {
      const handle = await open(lock, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await isStale(lock)) {
      await unlink(lock).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) throw new Error(`${lock} is held by another process`);
    await sleep(RETRY_MS);
  }
}

async function isStale(lock: string): Promise<boolean> {
  try {
    return Date.now() - (await stat(lock)).mtimeMs > STALE_AFTER_MS;
  } catch {
    return false; // gone already: the next attempt takes it
  }
}
