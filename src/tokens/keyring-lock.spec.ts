import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { withKeyringLock } from './keyring-lock';

describe('the keyring lock', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tessera-lock-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs concurrent changes one after the other', async () => {
    const events: string[] = [];
    const change = (name: string) => async () => {
      events.push(`${name} in`);
      await sleep(30);
      events.push(`${name} out`);
    };
    await Promise.all([withKeyringLock(dir, change('a')), withKeyringLock(dir, change('b'))]);
    // Either may win the race; what matters is that one finishes before the other starts.
    expect([
      ['a in', 'a out', 'b in', 'b out'],
      ['b in', 'b out', 'a in', 'a out'],
    ]).toContainEqual(events);
  });

  it('releases the lock when the change fails', async () => {
    await expect(withKeyringLock(dir, () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    await expect(withKeyringLock(dir, () => Promise.resolve('next'))).resolves.toBe('next');
  });

  it('takes over a lock left behind by a process that died', async () => {
    const lock = join(dir, 'keyring.lock');
    writeFileSync(lock, '12345\n');
    const aMinuteAgo = new Date(Date.now() - 60_000);
    utimesSync(lock, aMinuteAgo, aMinuteAgo);
    await expect(withKeyringLock(dir, () => Promise.resolve('taken'))).resolves.toBe('taken');
  });
});
