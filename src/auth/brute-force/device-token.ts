import { Injectable } from '@nestjs/common';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Clock, InjectClock } from '../../common/time/clock';
import { InjectLoginAttemptStore, LoginAttemptStore } from './login-attempt.store';

/** How long a device stays known without another successful login. */
export const DEVICE_TTL_SECONDS = 90 * 24 * 3600;

const TOKEN = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{22})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

/**
 * The value of a device cookie (OWASP "device cookies"): `<userId>.<deviceId>.<exp>.<mac>`, an
 * HMAC-SHA256 over the rest. It proves that this client logged in successfully as that user.
 *
 * The key is 32 random bytes created once in the store (SET NX) and cached per process, not
 * derived from the JWT signing keys: every instance shares the store but not necessarily the key
 * files (generated per instance outside production), JWT keys rotate (which would silently forget
 * every device), and one key per purpose keeps a token signer from ever vouching for a device. A
 * lost secret only makes every client untrusted again, which is the normal path.
 */
@Injectable()
export class DeviceTokens {
  private secret?: Promise<Buffer>;

  constructor(
    @InjectLoginAttemptStore() private readonly store: LoginAttemptStore,
    @InjectClock() private readonly clock: Clock,
  ) {}

  async issue(userId: string): Promise<string> {
    const deviceId = randomBytes(16).toString('base64url');
    const exp = Math.floor(this.clock.now() / 1000) + DEVICE_TTL_SECONDS;
    const payload = `${userId}.${deviceId}.${exp}`;
    return `${payload}.${await this.mac(payload)}`;
  }

  /** The device id when `token` is a valid, unexpired device token of `userId`; else null. */
  async verify(token: string, userId: string): Promise<string | null> {
    const match = TOKEN.exec(token);
    if (!match || match[1] !== userId) return null;
    if (Number(match[3]) * 1000 <= this.clock.now()) return null;
    const expected = Buffer.from(await this.mac(`${match[1]}.${match[2]}.${match[3]}`));
    const presented = Buffer.from(match[4]);
    return timingSafeEqual(expected, presented) ? match[2] : null;
  }

  private async mac(payload: string): Promise<string> {
    return createHmac('sha256', await this.key())
      .update(payload)
      .digest('base64url');
  }

  private key(): Promise<Buffer> {
    // Cached once fetched; a failed fetch (store down) is retried by the next login.
    this.secret ??= this.store.deviceSecret().catch((error: unknown) => {
      this.secret = undefined;
      throw error;
    });
    return this.secret;
  }
}
