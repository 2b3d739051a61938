import { normalizeIp } from '@nestjs/throttler';
import { createHash } from 'node:crypto';
import { SecurityConfig } from '../../config/configuration';
import { Counter } from './login-attempt.store';

/**
 * The per-username limit (all client IPs together) is this many times the per-pair limit. A real
 * user who mistypes from a phone, a laptop and a work machine fails a few times per pair, far
 * below it; an attacker spreading guesses over many IPs (credential stuffing, botnets) gets at
 * most 10 × 5 = 50 guesses per account per window instead of 5 per IP without end. It is not
 * lower because anyone can trip it for any username: that is exactly what the device cookie is
 * for, and below ~10 pairs a shared NAT or a family would trip it on their own.
 */
export const USERNAME_LIMIT_FACTOR = 10;

/** IPv6 clients are counted per /64: one subscriber usually holds a whole /64. */
const IPV6_PREFIX = 64;

/**
 * All known devices of one user together get this many times the per-pair limit: enough for a
 * person mistyping on a few of their own devices, too few for someone holding many old cookies.
 */
export const USER_DEVICES_LIMIT_FACTOR = 2;

/** Which counter a key belongs to; also the `lock` of an ACCOUNT_LOCKED audit event. */
export type CounterKind = 'pair' | 'user' | 'ip' | 'device' | 'devices' | 'mfa';

/**
 * Wrong second-factor codes of one user, over every client and challenge together, before the
 * user's codes lock: this many times the per-pair limit. Only someone who knows the password
 * reaches a code check, so this lock cannot be tripped by strangers; each challenge also dies
 * after 5 wrong codes (MfaService), and 10 guesses per window at 3 valid codes in a million
 * never get near a code.
 */
export const SECOND_FACTOR_LIMIT_FACTOR = 2;

/**
 * The store key of a submitted username: trimmed, lower-cased and hashed. Hashed because people
 * type their password into the username field often enough: the store must never hold it raw.
 */
export function usernameKey(username: string): string {
  return createHash('sha256').update(username.trim().toLowerCase()).digest('base64url');
}

/** The store key of a client IP (IPv6 by /64); 'unknown' when the adapter gave none. */
export function ipKey(ip: string | null): string {
  return ip ? normalizeIp(ip, IPV6_PREFIX) : 'unknown';
}

/**
 * Whom the pair and per-user counters count: the user's id when the submitted login names an
 * existing user, so its username and its email share one budget (else each spelling would get its
 * own guesses); the normalised submitted text otherwise, so unknown usernames lock alike. The
 * client sees the same 429 either way: which key counted is never on the wire.
 */
export function subjectKey(login: string, user: { id: string } | null): string {
  return user ? `id:${user.id}` : `name:${usernameKey(login)}`;
}

/** Failure counters for a client without a valid device cookie for that user. */
export function untrustedCounters(
  subject: string,
  ip: string | null,
  limits: SecurityConfig,
): Counter[] {
  const client = ipKey(ip);
  return [
    { key: `pair:${subject}:${client}`, limit: limits.loginMaxFailures },
    { key: `user:${subject}`, limit: limits.loginMaxFailures * USERNAME_LIMIT_FACTOR },
    { key: `ip:${client}`, limit: limits.loginIpMaxFailures },
  ];
}

/**
 * The counters of a client with a valid device cookie: its own failures, and the failures of all
 * the user's known devices together. Failures of clients without one never count here.
 */
export function deviceCounters(
  deviceId: string,
  userId: string,
  limits: SecurityConfig,
): Counter[] {
  return [
    { key: `device:${deviceId}`, limit: limits.loginMaxFailures },
    { key: `devices:${userId}`, limit: limits.loginMaxFailures * USER_DEVICES_LIMIT_FACTOR },
  ];
}

/** The counter of wrong second-factor codes of a user (every client together). */
export function secondFactorCounters(userId: string, limits: SecurityConfig): Counter[] {
  return [{ key: `mfa:${userId}`, limit: limits.loginMaxFailures * SECOND_FACTOR_LIMIT_FACTOR }];
}

export function counterKind(counter: Counter): CounterKind {
  return counter.key.slice(0, counter.key.indexOf(':')) as CounterKind;
}
