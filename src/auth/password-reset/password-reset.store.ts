import { Inject } from '@nestjs/common';

/**
 * Outstanding password reset tokens: only the SHA-256 of each token's secret, under its user,
 * bound to a fingerprint of the password hash the user had when it was mailed (a password changed
 * since, by any path, voids it), until it expires.
 */
export interface PasswordResetStore {
  /** Keeps a token (its hash) for `ttlMs`, bound to `passwordFingerprint`. */
  save(userId: string, hash: string, passwordFingerprint: string, ttlMs: number): Promise<void>;
  /** The fingerprint of a live token, leaving it usable; null when there is none. */
  find(userId: string, hash: string): Promise<string | null>;
  /**
   * Takes a token: its fingerprint, or null when there is none (unknown, expired or taken
   * already). Atomic: of concurrent takes of one token exactly one gets the fingerprint.
   */
  take(userId: string, hash: string): Promise<string | null>;
}
export const PasswordResetStore = Symbol('PasswordResetStore');
export const InjectPasswordResetStore = () => Inject(PasswordResetStore);
