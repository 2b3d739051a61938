import { Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { randomToken } from '../../common/crypto/ids';
import { Clock, InjectClock } from '../../common/time/clock';
import { InjectSessionStore, SessionStore } from '../../tokens/session.store';
import { InjectLoginAttemptStore, LoginAttemptStore } from './login-attempt.store';

/** How long a device stays known without another successful login. */
export const DEVICE_TTL_SECONDS = 90 * 24 * 3600;

/**
 * Known devices per user: the newest this many stay known. Each known device is a guess budget
 * of its own, so their number must be bounded; a person rarely signs in from more than a few.
 */
export const MAX_DEVICES_PER_USER = 10;

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
 *
 * A valid MAC is not enough: the device must also still be in the user's list of known devices
 * (SessionStore), which keeps the newest MAX_DEVICES_PER_USER and is emptied by every change that
 * ends all sessions (a password change, logout-all, a change of rights). So a cookie earned before
 * a password change stops counting as a known device, and no one can hoard cookies as budgets.
 */
@Injectable()
export class DeviceTokens {
  private secret?: Promise<Buffer>;

  constructor(
    @InjectLoginAttemptStore() private readonly store: LoginAttemptStore,
    @InjectSessionStore() private readonly sessions: SessionStore,
    @InjectClock() private readonly clock: Clock,
  ) {}

  /**
   * A device cookie for a client that has just logged in as `userId` under the credential
   * `generation` its login read; null when that generation has moved on meanwhile.
   */
  async issue(userId: string, generation: number): Promise<string | null> {
    const deviceId = randomToken(16);
    const exp = Math.floor(this.clock.now() / 1000) + DEVICE_TTL_SECONDS;
    const payload = `${userId}.${deviceId}.${exp}`;
    const token = `${payload}.${await this.mac(payload)}`;
    const args = [generation, exp * 1000, MAX_DEVICES_PER_USER] as const;
    return (await this.sessions.rememberDevice(userId, deviceId, ...args)) ? token : null;
  }

  /** The device id when `token` is a valid, unexpired device token of `userId`; else null. */
  async verify(token: string, userId: string): Promise<string | null> {
    const deviceId = await this.signedId(token, userId);
    return deviceId && (await this.sessions.isKnownDevice(userId, deviceId)) ? deviceId : null;
  }

  /**
   * The device id when `token` is a device token this service issued to `userId` and unexpired;
   * else null. Unlike `verify` it does not ask whether the device still counts as known (a
   * budget against lockout): it only tells one client from another, which needs no store read.
   */
  async signedId(token: string, userId: string): Promise<string | null> {
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
