import { Inject } from '@nestjs/common';

/**
 * Outstanding email verification tokens: only the SHA-256 of each token's secret, under its
 * user, bound to the email it was mailed to, until it expires.
 */
export interface EmailVerificationStore {
  /** Keeps a token (its hash) for `ttlMs`, bound to `email`. */
  save(userId: string, hash: string, email: string, ttlMs: number): Promise<void>;
  /**
   * Takes a token: the email it is bound to, or null when there is none (unknown, expired or
   * taken already). Atomic: of concurrent takes of one token exactly one gets the email.
   */
  take(userId: string, hash: string): Promise<string | null>;
}
export const EmailVerificationStore = Symbol('EmailVerificationStore');
export const InjectEmailVerificationStore = () => Inject(EmailVerificationStore);
