import { JwtAlgorithm } from '../config/env.validation';
import { KeyRecord } from './key-files';

/**
 * - `next`: published and able to verify, not signing yet (its activatesAt is ahead);
 * - `active`: signs new tokens (the newest key whose activatesAt has passed);
 * - `retired`: a newer key took over, but tokens it signed may still be live, so it still verifies;
 * - `expired`: no token it signed can still be valid; unpublished and refused.
 */
export type KeyState = 'next' | 'active' | 'retired' | 'expired';

/** A key of the keyring with its times in epoch milliseconds, oldest activation first. */
export interface ScheduledKey {
  kid: string;
  alg: JwtAlgorithm;
  createdAt: number;
  activatesAt: number;
  /** When the following key takes over (this key stops signing); null for the newest key. */
  retiresAt: number | null;
}

/** WebSocket tickets live 60 s (docs/http-api.md) and are signed with the same keys. */
const LONGEST_TICKET_TTL_SECONDS = 60;

/**
 * How long a key keeps verifying after it stopped signing: the last token it signed lives
 * for the longest token lifetime, plus the leeway every verifier grants on `exp`.
 */
export function retentionMs(jwt: { accessTtl: number; clockSkew: number }): number {
  return (Math.max(jwt.accessTtl, LONGEST_TICKET_TTL_SECONDS) + jwt.clockSkew) * 1000;
}

/**
 * Keys that expired this long ago are deleted by the next rotation. It is the longest retention
 * any valid configuration allows (JWT_ACCESS_TTL ≤ 86400, JWT_CLOCK_SKEW ≤ 300), so a CLI run
 * with another TTL than the instances cannot delete a key they still verify with.
 */
export const PRUNE_AFTER_MS = (86_400 + 300) * 1000;

/** Orders keys by activation (ties by creation, then kid: every instance agrees) and links them. */
export function schedule(records: readonly KeyRecord[]): ScheduledKey[] {
  const keys = records
    .map((r) => ({
      kid: r.kid,
      alg: r.alg,
      createdAt: Date.parse(r.createdAt),
      activatesAt: Date.parse(r.activatesAt),
    }))
    .sort(
      (a, b) => a.activatesAt - b.activatesAt || a.createdAt - b.createdAt || cmp(a.kid, b.kid),
    );
  return keys.map((key, i) => ({ ...key, retiresAt: keys[i + 1]?.activatesAt ?? null }));
}

export function keyState(key: ScheduledKey, now: number, retention: number): KeyState {
  if (now < key.activatesAt) return 'next';
  if (key.retiresAt === null || now < key.retiresAt) return 'active';
  return now < key.retiresAt + retention ? 'retired' : 'expired';
}

/**
 * The key that signs at `now`. When none has activated yet (a fresh keyring seen from a host
 * whose clock is a little behind the one that wrote it), the oldest key signs rather than none.
 */
export function activeKey(keys: readonly ScheduledKey[], now: number): ScheduledKey | undefined {
  return keys.find((k) => keyState(k, now, 0) === 'active') ?? keys[0];
}

/** The moment a key stops verifying; null while no successor is scheduled. */
export function expiresAt(key: ScheduledKey, retention: number): number | null {
  return key.retiresAt === null ? null : key.retiresAt + retention;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** How often every instance checks keyring.json for a change (a stat: cheap). */
export const RELOAD_INTERVAL_MS = 1000;

/**
 * A new key signs only this long after it is written (unless it is the first key): every
 * instance re-reads the keyring within RELOAD_INTERVAL_MS, so all of them publish and verify it
 * before any of them signs with it, and a rotation fails no request.
 */
export const DEFAULT_ACTIVATION_DELAY_SECONDS = 5;
export const MIN_ACTIVATION_DELAY_SECONDS = (2 * RELOAD_INTERVAL_MS) / 1000;
