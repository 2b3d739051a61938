import { Inject, Injectable } from '@nestjs/common';
import { createPublicKey } from 'node:crypto';
import { AuditEventType } from '../audit/audit-event';
import { AuditService } from '../audit/audit.service';
import { Clock, InjectClock } from '../common/time/clock';
import { jwtConfig, JwtConfig } from '../config/configuration';
import { JwtAlgorithm } from '../config/env.validation';
import { jwkThumbprint } from './jwk';
import {
  deletePrivateKey,
  encryptPrivateKeyFile,
  generatePrivateKey,
  Keyring,
  KeyRecord,
  readKeyring,
  readPrivateKey,
  writeKeyring,
  writePrivateKey,
} from './key-files';
import {
  activeKey,
  DEFAULT_ACTIVATION_DELAY_SECONDS,
  expiresAt,
  keyState,
  KeyState,
  MIN_ACTIVATION_DELAY_SECONDS,
  PRUNE_AFTER_MS,
  retentionMs,
  schedule,
} from './key-schedule';
import { withKeyringLock } from './keyring-lock';

type AsymmetricAlgorithm = Exclude<JwtAlgorithm, 'HS256'>;

export interface RotationResult {
  kid: string;
  alg: JwtAlgorithm;
  /** ISO 8601: when the new key starts signing. */
  activatesAt: string;
  /** The key that signed until then; null when the keyring was empty. */
  previousKid: string | null;
  /** Keys deleted because they expired more than a day ago. */
  pruned: string[];
}

export interface KeyStatus {
  kid: string;
  alg: JwtAlgorithm;
  state: KeyState;
  createdAt: string;
  activatesAt: string;
  /** When it stops (or stopped) signing; null while no newer key is scheduled. */
  retiresAt: string | null;
  /** When it stops (or stopped) verifying and leaves the JWKS. */
  expiresAt: string | null;
}

/**
 * Changes the keyring in JWT_KEYS_DIR: adds a key (`npm run keys:rotate`, also in production),
 * creates the first one at boot outside production, and reports every key's state
 * (`npm run keys:list`). Running instances pick changes up by themselves (SigningKeys).
 */
@Injectable()
export class KeyRotation {
  constructor(
    @Inject(jwtConfig.KEY) private readonly jwt: JwtConfig,
    @InjectClock() private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  /** Adds a key that signs `activateInSeconds` from now (at once when it is the first key). */
  async rotate(options: { activateInSeconds?: number } = {}): Promise<RotationResult> {
    const delay = options.activateInSeconds ?? DEFAULT_ACTIVATION_DELAY_SECONDS;
    if (!Number.isFinite(delay) || delay < MIN_ACTIVATION_DELAY_SECONDS) {
      throw new Error(`The activation delay must be at least ${MIN_ACTIVATION_DELAY_SECONDS} s`);
    }
    const alg = this.asymmetricAlgorithm();
    const dir = this.jwt.keysDir;
    const result = await withKeyringLock(dir, async (): Promise<RotationResult> => {
      const keyring = (await readKeyring(dir)) ?? { keys: [] };
      // A wrong JWT_KEYS_PASSPHRASE fails here, before a key no instance could read is added.
      await this.assertReadable(keyring);
      const record = await this.newKey(alg, keyring.keys.length === 0 ? 0 : delay * 1000);
      // The key that signs until the new one takes over (a pending one, if any, else the active).
      const previous = activeKey(schedule(keyring.keys), Date.parse(record.activatesAt) - 1);
      const pruned = this.prunable(keyring, this.clock.now());
      const kept = keyring.keys.filter((k) => !pruned.includes(k.kid));
      await writeKeyring(dir, { keys: [...kept, record] });
      // Only after the new keyring is in place: no reader is sent to a file deleted here.
      for (const kid of pruned) await deletePrivateKey(dir, kid);
      const { kid, activatesAt } = record;
      return { kid, alg, activatesAt, previousKid: previous?.kid ?? null, pruned };
    });
    this.audit.record({
      event: AuditEventType.KeyRotated,
      details: {
        kid: result.kid,
        alg: result.alg,
        previousKid: result.previousKid,
        activatesAt: result.activatesAt,
      },
    });
    return result;
  }

  /**
   * The keyring, created with a first key when the directory has none. Under the lock, so
   * instances starting together on an empty directory all end up with the same key.
   */
  async ensureKeyring(): Promise<Keyring> {
    const alg = this.asymmetricAlgorithm();
    const dir = this.jwt.keysDir;
    return withKeyringLock(dir, async () => {
      const existing = await readKeyring(dir);
      if (existing) return existing;
      const keyring = { keys: [await this.newKey(alg, 0)] };
      await writeKeyring(dir, keyring);
      return keyring;
    });
  }

  /**
   * Encrypts with JWT_KEYS_PASSPHRASE, in place, every private key of the keyring still stored in
   * plaintext (`npm run keys:encrypt`); returns their kids. Under the lock, so no rotation races it.
   */
  async encryptPlaintextKeys(): Promise<string[]> {
    const { keysDir: dir, keysPassphrase: passphrase } = this.jwt;
    if (!passphrase)
      throw new Error('JWT_KEYS_PASSPHRASE is not set: there is nothing to encrypt with');
    return withKeyringLock(dir, async () => {
      const encrypted: string[] = [];
      for (const { kid } of (await readKeyring(dir))?.keys ?? []) {
        if (await encryptPrivateKeyFile(dir, kid, passphrase)) encrypted.push(kid);
      }
      return encrypted;
    });
  }

  /** Every key of the keyring with its state now, oldest first. */
  async status(): Promise<KeyStatus[]> {
    const keyring = (await readKeyring(this.jwt.keysDir)) ?? { keys: [] };
    const now = this.clock.now();
    const retention = retentionMs(this.jwt);
    return schedule(keyring.keys).map((key) => ({
      kid: key.kid,
      alg: key.alg,
      state: keyState(key, now, retention),
      createdAt: iso(key.createdAt),
      activatesAt: iso(key.activatesAt),
      retiresAt: key.retiresAt === null ? null : iso(key.retiresAt),
      expiresAt: isoOrNull(expiresAt(key, retention)),
    }));
  }

  private asymmetricAlgorithm(): AsymmetricAlgorithm {
    const alg = this.jwt.algorithm;
    if (alg === 'HS256') {
      throw new Error('JWT_ALGORITHM=HS256 signs with JWT_SECRET: there is no keyring to rotate');
    }
    return alg;
  }

  /** Generates and stores a key that signs `delayMs` after it exists. */
  private async newKey(alg: AsymmetricAlgorithm, delayMs: number): Promise<KeyRecord> {
    const privateKey = await generatePrivateKey(alg, this.jwt.rsaBits);
    const kid = jwkThumbprint(createPublicKey(privateKey));
    await writePrivateKey(this.jwt.keysDir, kid, privateKey, this.jwt.keysPassphrase);
    const createdAt = this.clock.now();
    return { kid, alg, createdAt: iso(createdAt), activatesAt: iso(createdAt + delayMs) };
  }

  private async assertReadable(keyring: Keyring): Promise<void> {
    const now = this.clock.now();
    const retention = retentionMs(this.jwt);
    for (const key of schedule(keyring.keys)) {
      if (keyState(key, now, retention) === 'expired') continue;
      await readPrivateKey(this.jwt.keysDir, key.kid, this.jwt.keysPassphrase).catch(
        (error: Error) => {
          // OpenSSL's message names the failure (bad decrypt, no such file), never the key.
          throw new Error(
            `Cannot read key ${key.kid} (${error.message}); is JWT_KEYS_PASSPHRASE the instances' one?`,
          );
        },
      );
    }
  }

  private prunable(keyring: Keyring, now: number): string[] {
    return schedule(keyring.keys)
      .filter((key) => keyState(key, now, PRUNE_AFTER_MS) === 'expired')
      .map((key) => key.kid);
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : iso(ms);
}
