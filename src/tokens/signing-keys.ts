import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { createPublicKey, createSecretKey, JsonWebKey } from 'node:crypto';
import { InjectClock, Clock } from '../common/time/clock';
import { appConfig, AppConfig, jwtConfig, JwtConfig } from '../config/configuration';
import { EnvError } from '../config/env.parsers';
import { jwkThumbprint, publicJwk } from './jwk';
import {
  generatePrivateKey,
  Keyring,
  readKeyring,
  readPrivateKey,
  writeKeyring,
  writePrivateKey,
} from './key-files';
import { SigningKey } from './signing-key';

/**
 * The keys Tessera signs and verifies with. Asymmetric keys live in JWT_KEYS_DIR (generated on
 * first start outside production); `kid` is the RFC 7638 thumbprint. HS256 uses JWT_SECRET.
 */
@Injectable()
export class SigningKeys implements OnModuleInit {
  private readonly logger = new Logger(SigningKeys.name);
  private keys = new Map<string, SigningKey>();
  private activeKid = '';

  constructor(
    @Inject(jwtConfig.KEY) private readonly jwt: JwtConfig,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    @InjectClock() private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.jwt.algorithm === 'HS256') return this.useSecret();
    const keyring = (await readKeyring(this.jwt.keysDir)) ?? (await this.firstKeyring());
    await this.load(keyring);
  }

  /** The key that signs new tokens. */
  get active(): SigningKey {
    const key = this.keys.get(this.activeKid);
    if (!key) throw new Error('No active signing key');
    return key;
  }

  /** The verification key for a `kid` of ours with the configured algorithm, else undefined. */
  verificationKey(kid: string): SigningKey | undefined {
    const key = this.keys.get(kid);
    return key && key.alg === this.jwt.algorithm ? key : undefined;
  }

  /** Public keys for the JWKS: every asymmetric key we hold (never an HS256 secret). */
  jwks(): { keys: JsonWebKey[] } {
    if (this.jwt.algorithm === 'HS256') return { keys: [] };
    return { keys: [...this.keys.values()].map((k) => publicJwk(k.verificationKey, k.kid, k.alg)) };
  }

  private useSecret(): void {
    const secret = createSecretKey(this.jwt.secret ?? Buffer.alloc(0));
    const kid = jwkThumbprint(secret).slice(0, 16);
    const now = new Date(this.clock.now()).toISOString();
    this.keys = new Map([
      [
        kid,
        {
          kid,
          alg: 'HS256',
          signingKey: secret,
          verificationKey: secret,
          createdAt: now,
          retiredAt: null,
        },
      ],
    ]);
    this.activeKid = kid;
  }

  private async firstKeyring(): Promise<Keyring> {
    const alg = this.jwt.algorithm;
    if (alg === 'HS256') throw new Error('unreachable');
    if (this.app.production) {
      throw new EnvError(
        'JWT_KEYS_DIR',
        `holds no ${alg} key; generated keys are refused in production`,
      );
    }
    const privateKey = generatePrivateKey(alg, this.jwt.rsaBits);
    const kid = jwkThumbprint(createPublicKey(privateKey));
    await writePrivateKey(this.jwt.keysDir, kid, privateKey, this.jwt.keysPassphrase);
    const keyring: Keyring = {
      active: kid,
      keys: [{ kid, alg, createdAt: new Date(this.clock.now()).toISOString(), retiredAt: null }],
    };
    await writeKeyring(this.jwt.keysDir, keyring);
    this.logger.warn(`Generated a new ${alg} signing key ${kid} in ${this.jwt.keysDir}`);
    return keyring;
  }

  private async load(keyring: Keyring): Promise<void> {
    const keys = new Map<string, SigningKey>();
    for (const record of keyring.keys) {
      const privateKey = await readPrivateKey(
        this.jwt.keysDir,
        record.kid,
        this.jwt.keysPassphrase,
      );
      const verificationKey = createPublicKey(privateKey);
      keys.set(record.kid, { ...record, signingKey: privateKey, verificationKey });
    }
    if (!keys.get(keyring.active) || keys.get(keyring.active)?.alg !== this.jwt.algorithm) {
      throw new EnvError(
        'JWT_ALGORITHM',
        `does not match the active key in JWT_KEYS_DIR (${keys.get(keyring.active)?.alg ?? 'none'})`,
      );
    }
    this.keys = keys;
    this.activeKid = keyring.active;
  }
}
