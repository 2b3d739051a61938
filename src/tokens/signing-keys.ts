import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { createPublicKey, createSecretKey, JsonWebKey } from 'node:crypto';
import { InjectClock, Clock } from '../common/time/clock';
import { appConfig, AppConfig, jwtConfig, JwtConfig } from '../config/configuration';
import { EnvError } from '../config/env.parsers';
import { jwkThumbprint, publicJwk } from './jwk';
import { Keyring, keyringVersion, plaintextKeys, readKeyring, readPrivateKey } from './key-files';
import { KeyRotation } from './key-rotation';
import {
  activeKey,
  keyState,
  RELOAD_INTERVAL_MS,
  retentionMs,
  schedule,
  ScheduledKey,
} from './key-schedule';
import { SigningKey } from './signing-key';

/**
 * The keys Tessera signs and verifies with. Asymmetric keys live in JWT_KEYS_DIR (generated on
 * first start outside production, added by `npm run keys:rotate`); `kid` is the RFC 7638
 * thumbprint. HS256 uses JWT_SECRET. A rotation reaches every running instance without a
 * restart: keyring.json is polled every second, and re-read at once (at most once a second)
 * when a token names a kid we do not know.
 */
@Injectable()
export class SigningKeys implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SigningKeys.name);
  private readonly retention: number;
  private keys = new Map<string, SigningKey>();
  private scheduled: ScheduledKey[] = [];
  private byKid = new Map<string, ScheduledKey>();
  private version: string | null = null;
  private poller: NodeJS.Timeout | undefined;
  private reloading: Promise<void> | undefined;
  private lastUnknownKidReload = Number.NEGATIVE_INFINITY;

  constructor(
    @Inject(jwtConfig.KEY) private readonly jwt: JwtConfig,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    @InjectClock() private readonly clock: Clock,
    private readonly rotation: KeyRotation,
  ) {
    this.retention = retentionMs(jwt);
  }

  async onModuleInit(): Promise<void> {
    if (this.jwt.algorithm === 'HS256') return this.useSecret();
    const version = await keyringVersion(this.jwt.keysDir);
    const keyring = (await readKeyring(this.jwt.keysDir)) ?? (await this.firstKeyring());
    await this.apply(keyring, version ?? (await keyringVersion(this.jwt.keysDir)));
    await this.warnOfPlaintextKeys(keyring);
    this.poller = setInterval(() => void this.poll(), RELOAD_INTERVAL_MS);
    this.poller.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.poller);
  }

  /** The key that signs new tokens now. */
  get active(): SigningKey {
    const scheduled = activeKey(this.scheduled, this.clock.now());
    const key = scheduled && this.keys.get(scheduled.kid);
    if (!key) throw new Error('No active signing key');
    return key;
  }

  /**
   * The verification key for a `kid` of ours that may still verify a live token, else
   * undefined. An unknown kid also starts a (rate-limited) re-read of the keyring.
   */
  verificationKey(kid: string): SigningKey | undefined {
    if (!this.byKid.has(kid)) void this.reloadForUnknownKid();
    return this.usable(kid);
  }

  /** Like verificationKey, but an unknown kid waits for the (rate-limited) re-read first. */
  async findVerificationKey(kid: string): Promise<SigningKey | undefined> {
    if (!this.byKid.has(kid)) await this.reloadForUnknownKid();
    return this.usable(kid);
  }

  /**
   * Public keys for the JWKS, newest first: the next key (so verifiers know it before it signs),
   * the active one, and every retired key that can still verify a live token. Never a secret.
   */
  jwks(): { keys: JsonWebKey[] } {
    if (this.jwt.algorithm === 'HS256') return { keys: [] };
    const now = this.clock.now();
    const published = this.scheduled.filter((k) => keyState(k, now, this.retention) !== 'expired');
    return {
      keys: published
        .reverse()
        .flatMap((k) => this.keys.get(k.kid) ?? [])
        .map((k) => publicJwk(k.verificationKey, k.kid, k.alg)),
    };
  }

  private usable(kid: string): SigningKey | undefined {
    const scheduled = this.byKid.get(kid);
    if (!scheduled || keyState(scheduled, this.clock.now(), this.retention) === 'expired') {
      return undefined;
    }
    return this.keys.get(kid);
  }

  private useSecret(): void {
    const secret = createSecretKey(this.jwt.secret ?? Buffer.alloc(0));
    const kid = jwkThumbprint(secret).slice(0, 16);
    const now = new Date(this.clock.now()).toISOString();
    const key: SigningKey = {
      kid,
      alg: 'HS256',
      signingKey: secret,
      verificationKey: secret,
      createdAt: now,
      activatesAt: now,
    };
    this.commit(new Map([[kid, key]]), schedule([key]), null);
  }

  private async firstKeyring(): Promise<Keyring> {
    if (this.app.production) {
      throw new EnvError(
        'JWT_KEYS_DIR',
        `holds no ${this.jwt.algorithm} key; generated keys are refused in production`,
      );
    }
    const keyring = await this.rotation.ensureKeyring();
    this.logger.warn(`Using a generated ${this.jwt.algorithm} key in ${this.jwt.keysDir}`);
    return keyring;
  }

  /** With a passphrase set, a key on disk in plaintext is one its operator believes encrypted. */
  private async warnOfPlaintextKeys(keyring: Keyring): Promise<void> {
    if (!this.jwt.keysPassphrase) return;
    const kids = await plaintextKeys(
      this.jwt.keysDir,
      keyring.keys.map((k) => k.kid),
    );
    if (kids.length === 0) return;
    this.logger.warn(
      `JWT_KEYS_PASSPHRASE is set, but ${kids.length} private key(s) in JWT_KEYS_DIR are stored unencrypted (${kids.join(', ')}): encrypt them in place with \`npm run keys:encrypt\``,
    );
  }

  /** Checks keyring.json's inode, mtime and size; re-reads it only when one changed. */
  private async poll(): Promise<void> {
    const version = await keyringVersion(this.jwt.keysDir).catch(() => this.version);
    if (version !== this.version) await this.reload();
  }

  /** A kid we do not know may be a rotation we missed; random kids cost one read a second. */
  private reloadForUnknownKid(): Promise<void> {
    const now = this.clock.now();
    if (Math.abs(now - this.lastUnknownKidReload) < RELOAD_INTERVAL_MS) {
      return this.reloading ?? Promise.resolve();
    }
    this.lastUnknownKidReload = now;
    return this.reload();
  }

  /** One re-read at a time; a failed one keeps the keys we have (they still work) and says why. */
  private reload(): Promise<void> {
    this.reloading ??= (async () => {
      try {
        const version = await keyringVersion(this.jwt.keysDir);
        const keyring = await readKeyring(this.jwt.keysDir);
        if (keyring) await this.apply(keyring, version);
      } catch (error) {
        this.logger.error(`Keeping the current keys; cannot reload: ${(error as Error).message}`);
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }

  /** Loads every key of our algorithm that can still verify (KeyObjects we hold are reused). */
  private async apply(keyring: Keyring, version: string | null): Promise<void> {
    const now = this.clock.now();
    const newest = activeKey(schedule(keyring.keys), now);
    if (newest?.alg !== this.jwt.algorithm) {
      throw new EnvError(
        'JWT_ALGORITHM',
        `does not match the active key in JWT_KEYS_DIR (${newest?.alg ?? 'none'})`,
      );
    }
    const scheduled = schedule(keyring.keys.filter((k) => k.alg === this.jwt.algorithm));
    const keys = new Map<string, SigningKey>();
    for (const key of scheduled) {
      if (keyState(key, now, this.retention) === 'expired') continue;
      keys.set(key.kid, this.keys.get(key.kid) ?? (await this.load(key)));
    }
    this.commit(keys, scheduled, version);
  }

  private async load(key: ScheduledKey): Promise<SigningKey> {
    const privateKey = await readPrivateKey(this.jwt.keysDir, key.kid, this.jwt.keysPassphrase);
    const activatesAt = new Date(key.activatesAt).toISOString();
    this.logger.log(`Loaded signing key ${key.kid}, signing from ${activatesAt}`);
    return {
      kid: key.kid,
      alg: key.alg,
      signingKey: privateKey,
      verificationKey: createPublicKey(privateKey),
      createdAt: new Date(key.createdAt).toISOString(),
      activatesAt,
    };
  }

  private commit(keys: Map<string, SigningKey>, scheduled: ScheduledKey[], version: string | null) {
    this.keys = keys;
    this.scheduled = scheduled;
    this.byKid = new Map(scheduled.map((k) => [k.kid, k]));
    this.version = version;
  }
}
