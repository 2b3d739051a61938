import { Inject } from '@nestjs/common';

/** A user's TOTP factor as stored. */
export interface TotpFactor {
  /** The secret, sealed (SecretBox, bound to the user id): never stored in the clear. */
  sealedSecret: string;
  /** Epoch milliseconds. */
  enabledAt: number;
  /**
   * Which set of recovery codes is current: 0 from enabling, one more for each renewal. A
   * renewal replaces the set it read, and only that one (compare-and-set).
   */
  codesVersion: number;
}

/** `replaced`; `stale`: another renewal replaced the set meanwhile; `gone`: not this factor. */
export type CodesReplacement = 'replaced' | 'stale' | 'gone';

/**
 * The sign-in challenge (mfa_token) a code is offered for: the code is used up and the challenge
 * claimed in one atomic step, so of two requests racing with one mfa_token the loser uses up
 * nothing (its recovery code stays valid).
 */
export interface ChallengeClaim {
  id: string;
  /** How long the claim is remembered: at least as long as the mfa_token verifies. */
  ttlMs: number;
}

/**
 * What became of a code offered to the store: `used` (used up, and the challenge claimed when
 * one was named), `refused` (no unused code of this factor), `replayed` (a TOTP step accepted
 * before, or older than the last accepted: a right code, used already), `claimed` (the
 * challenge was claimed already) or `stale` (the recovery codes are no longer the set a renewal
 * read); after these last two nothing was used up.
 */
export type CodeUse = 'used' | 'refused' | 'replayed' | 'claimed' | 'stale';

/**
 * Second factors: a pending TOTP enrolment, the enabled factor with the last time step a code was
 * accepted for, the hashes of the recovery codes, and the attempts made at each sign-in
 * challenge. Everything of one user lives together (one Redis hash tag), so each change below is
 * atomic on every driver and topology.
 */
export interface MfaStore {
  /** Keeps an enrolment awaiting its first code for `ttlMs`, replacing any earlier one. */
  savePending(userId: string, sealedSecret: string, ttlMs: number): Promise<void>;
  /** The sealed secret of the live pending enrolment, or null. */
  findPending(userId: string): Promise<string | null>;
  /**
   * Makes the pending enrolment `sealedSecret` the user's factor, with these recovery codes, and
   * remembers `step` as the last accepted (the confirming code is used up). False, changing
   * nothing, when MFA is on already or the pending enrolment is gone or another one.
   */
  enable(
    userId: string,
    sealedSecret: string,
    recoveryHashes: string[],
    enabledAt: number,
    step: number,
  ): Promise<boolean>;
  /** The enabled factor, or null. */
  factor(userId: string): Promise<TotpFactor | null>;
  /**
   * Accepts a code's time step for the factor `sealedSecret`: `used` only when it is later than
   * every step accepted before (else `replayed`), and the factor is still that one (else
   * `refused`). Of concurrent calls with the
   * same step exactly one wins: a code is accepted once (RFC 6238 §5.2). With `claim`, the
   * challenge is claimed in the same step, and nothing is accepted when it was claimed already.
   */
  acceptStep(
    userId: string,
    sealedSecret: string,
    step: number,
    claim?: ChallengeClaim,
  ): Promise<CodeUse>;
  /**
   * Uses up a recovery code (its hash): `used` once per code, while MFA is on. With `claim`, as
   * for `acceptStep`: the code is used only if the challenge is claimed by this call. With
   * `codesVersion` (a renewal), only while the codes are still that set (else `stale`).
   */
  useRecoveryCode(
    userId: string,
    hash: string,
    claim?: ChallengeClaim,
    codesVersion?: number,
  ): Promise<CodeUse>;
  recoveryCodesLeft(userId: string): Promise<number>;
  /**
   * Replaces every recovery code while the factor is `sealedSecret` and its codes are still the
   * set `codesVersion` (compare-and-set: of concurrent renewals of one set, one wins).
   */
  replaceRecoveryCodes(
    userId: string,
    sealedSecret: string,
    codesVersion: number,
    hashes: string[],
  ): Promise<CodesReplacement>;
  /**
   * Removes the factor, its recovery codes and any pending enrolment; when `sealedSecret` is
   * given, only while the factor is that one. False when there was none to remove.
   */
  disable(userId: string, sealedSecret?: string): Promise<boolean>;
  /**
   * Counts one attempt at the sign-in challenge `challengeId` (kept `ttlMs` from the first) and
   * returns how many were made, this one included. Atomic: concurrent attempts get distinct
   * numbers, so no more than the limit ever reach a code check.
   */
  countChallengeAttempt(userId: string, challengeId: string, ttlMs: number): Promise<number>;
}
export const MfaStore = Symbol('MfaStore');
export const InjectMfaStore = () => Inject(MfaStore);
