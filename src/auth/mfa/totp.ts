import { Secret, TOTP } from 'otpauth';

/** RFC 6238 as every authenticator app reads it: SHA-1, 6 digits, 30-second steps. */
const DIGITS = 6;
const PERIOD_SECONDS = 30;
/** ±1 step: a code typed just before or after its step turned still counts (RFC 6238 §5.2). */
export const TOTP_WINDOW = 1;
/** 160 bits, the length RFC 4226 §4 recommends for the HMAC-SHA-1 key. */
const SECRET_BYTES = 20;

/** A fresh random TOTP secret, base32 (what apps accept typed in). */
export function newTotpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

function totpOf(secret: string, issuer = '', label = ''): TOTP {
  return new TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: DIGITS,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(secret),
  });
}

/** The `otpauth://totp/...` URI an authenticator app scans. */
export function totpUri(secret: string, issuer: string, account: string): string {
  return totpOf(secret, issuer, account).toString();
}

/**
 * The time step a code belongs to (within ±TOTP_WINDOW of now), or null when it is no code of
 * this secret now. Compared in constant time by otpauth. The step, not the code, is what a replay
 * check remembers: a code is accepted only for a step later than the last one accepted.
 */
export function totpStep(secret: string, code: string, nowMs: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpOf(secret).validate({ token: code, timestamp: nowMs, window: TOTP_WINDOW });
  return delta === null ? null : Math.floor(nowMs / 1000 / PERIOD_SECONDS) + delta;
}

/** The code of `secret` at `nowMs` (tests, and the seed CLI's demo). */
export function totpCode(secret: string, nowMs: number): string {
  return totpOf(secret).generate({ timestamp: nowMs });
}

/** How long a step lasts, in milliseconds. */
export const TOTP_STEP_MS = PERIOD_SECONDS * 1000;
