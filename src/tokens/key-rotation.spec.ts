import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditEventType } from '../audit/audit-event';
import { AuditService } from '../audit/audit.service';
import { ManualClock } from '../common/time/manual-clock';
import { validateEnv } from '../config/env.validation';
import { readKeyring } from './key-files';
import { KeyRotation } from './key-rotation';

const DAY_MS = 86_400_000;

describe('KeyRotation', () => {
  let dir: string;
  let clock: ManualClock;
  let record: jest.Mock;

  const rotation = (env: Record<string, string> = {}) => {
    const jwt = validateEnv({ JWT_ALGORITHM: 'ES256', JWT_KEYS_DIR: dir, ...env }).jwt;
    return new KeyRotation(jwt, clock, { record } as unknown as AuditService);
  };

  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'tessera-rotation-')), 'keys');
    clock = new ManualClock();
    record = jest.fn();
  });
  afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it("encrypts the keyring's plaintext keys with the passphrase, and refuses without one", async () => {
    const { kid } = await rotation().rotate();
    await expect(rotation().encryptPlaintextKeys()).rejects.toThrow(
      /^JWT_KEYS_PASSPHRASE is not set/,
    );
    const sealed = rotation({ JWT_KEYS_PASSPHRASE: 'a passphrase' });
    await expect(sealed.encryptPlaintextKeys()).resolves.toEqual([kid]);
    await expect(sealed.encryptPlaintextKeys()).resolves.toEqual([]);
    expect(readdirSync(dir).sort()).toEqual([`${kid}.pem`, 'keyring.json'].sort()); // no temp file left
  });

  it('makes the first key of an empty keys dir active at once', async () => {
    const first = await rotation().rotate();
    expect(first).toMatchObject({ previousKid: null, activatesAt: iso(clock.now()) });
    expect(await rotation().status()).toEqual([
      expect.objectContaining({ kid: first.kid, state: 'active', retiresAt: null }),
    ]);
  });

  it('schedules a new key a few seconds ahead, so every instance verifies it before it signs', async () => {
    const first = await rotation().rotate();
    clock.advance(60_000);
    const second = await rotation().rotate();
    expect(second).toMatchObject({ previousKid: first.kid, activatesAt: iso(clock.now() + 5000) });
    expect((await rotation().status()).map((k) => [k.kid, k.state])).toEqual([
      [first.kid, 'active'],
      [second.kid, 'next'],
    ]);
    clock.advance(5000);
    expect((await rotation().status()).map((k) => k.state)).toEqual(['retired', 'active']);
  });

  it('names a pending key, not the active one, as the key the new one takes over from', async () => {
    await rotation().rotate();
    const pending = await rotation().rotate({ activateInSeconds: 60 });
    const newest = await rotation().rotate({ activateInSeconds: 120 });
    expect(newest.previousKid).toBe(pending.kid);
  });

  it('records KEY_ROTATED with the key ids and nothing secret', async () => {
    const first = await rotation().rotate();
    const second = await rotation().rotate({ activateInSeconds: 30 });
    expect(record).toHaveBeenLastCalledWith({
      event: AuditEventType.KeyRotated,
      details: {
        kid: second.kid,
        alg: 'ES256',
        previousKid: first.kid,
        activatesAt: iso(clock.now() + 30_000),
      },
    });
  });

  it('refuses to add a key when the passphrase cannot read the existing ones', async () => {
    await rotation({ JWT_KEYS_PASSPHRASE: 'right' }).rotate();
    await expect(rotation({ JWT_KEYS_PASSPHRASE: 'wrong' }).rotate()).rejects.toThrow(
      /JWT_KEYS_PASSPHRASE/,
    );
    expect((await readKeyring(dir))?.keys).toHaveLength(1);
    expect(record).toHaveBeenCalledTimes(1);
  });

  it('refuses an activation delay shorter than two reload intervals', async () => {
    await expect(rotation().rotate({ activateInSeconds: 1 })).rejects.toThrow(/at least 2 s/);
  });

  it('refuses to rotate under HS256, which has no keyring', async () => {
    const secret = Buffer.alloc(32, 1).toString('base64');
    await expect(rotation({ JWT_ALGORITHM: 'HS256', JWT_SECRET: secret }).rotate()).rejects.toThrow(
      /HS256/,
    );
  });

  it('deletes keys a day after they stopped verifying, and only those', async () => {
    const oldest = await rotation().rotate();
    const middle = await rotation().rotate({ activateInSeconds: 2 });
    clock.advance(2000 + 960_000 + DAY_MS); // middle signs; oldest expired a day ago
    const newest = await rotation().rotate();
    expect(newest.pruned).toEqual([oldest.kid]);
    expect(
      readdirSync(dir)
        .filter((f) => f.endsWith('.pem'))
        .sort(),
    ).toEqual([`${middle.kid}.pem`, `${newest.kid}.pem`].sort());
  });

  it('gives instances racing on an empty keys dir one and the same first key', async () => {
    const keyrings = await Promise.all([1, 2, 3].map(() => rotation().ensureKeyring()));
    expect(new Set(keyrings.map((k) => JSON.stringify(k))).size).toBe(1);
    expect(readdirSync(dir).filter((f) => f.endsWith('.pem'))).toHaveLength(1);
  });
});

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
