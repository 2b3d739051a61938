import { Inject } from '@nestjs/common';
import { createHash } from 'node:crypto';

/** A registered passkey (a WebAuthn credential) as stored. */
export interface StoredPasskey {
  /** Our id of it (a UUID), as the routes name it. */
  id: string;
  /** The credential id the authenticator chose, base64url. */
  credentialId: string;
  /** The COSE public key, base64url. Public: a leak lets nobody sign in. */
  publicKey: string;
  /** The signature counter last seen (0 for authenticators that keep none). */
  counter: number;
  transports: string[];
  /** What the user called it ("MacBook", "YubiKey 5"). */
  name: string;
  /** `singleDevice` (bound to its hardware) or `multiDevice` (synced, e.g. by a password manager). */
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  /** Epoch milliseconds. */
  createdAt: number;
  lastUsedAt: number | null;
}

/**
 * Where a store keeps a passkey: the SHA-256 of its credential id, base64url (43 characters; a
 * credential id may be 1 KiB long), so one user cannot hold one credential twice.
 */
export function credentialKey(credentialId: string): string {
  return createHash('sha256').update(credentialId).digest('base64url');
}

/**
 * What `use` found: the counter moved on (or neither side keeps one), went back, or no passkey;
 * and the counter stored when it compared (before this use; 0 when missing), read in the same
 * atomic step, so an audit of a regression names the value it lost against.
 */
export interface PasskeyUse {
  outcome: 'ok' | 'regressed' | 'missing';
  stored: number;
}

/** What `add` did: see PasskeyStore.add. */
export type PasskeyAdded = 'added' | 'exists' | 'taken' | 'full';

/**
 * Passkeys and the challenges of their ceremonies. A user's passkeys and pending registrations
 * (one per session) live together (one Redis hash tag), so adding, using and removing are atomic on every driver
 * and topology; a sign-in challenge names no user (usernameless sign-in) and is one key.
 */
export interface PasskeyStore {
  /**
   * Keeps the challenge of a registration for `ttlMs`, bound to the session that asked for it:
   * it replaces an earlier one of that session only.
   */
  saveRegistrationChallenge(
    userId: string,
    sessionId: string,
    challenge: string,
    ttlMs: number,
  ): Promise<void>;
  /**
   * The session's live registration challenge, used up: a second call answers null, and so does
   * any other session of the user (which neither sees nor uses it up).
   */
  takeRegistrationChallenge(userId: string, sessionId: string): Promise<string | null>;
  /** Keeps a sign-in challenge for `ttlMs`. */
  saveLoginChallenge(challenge: string, ttlMs: number): Promise<void>;
  /** Uses up a live sign-in challenge: true once, false if unknown, used or expired. */
  takeLoginChallenge(challenge: string): Promise<boolean>;
  /**
   * Adds a passkey: 'exists' when the user has one of that credential id, 'taken' when another
   * user has (a credential id is registered for one user at most, also over concurrent adds for
   * two users), 'full' when the user has `max`, changing nothing then.
   */
  add(userId: string, passkey: StoredPasskey, max: number): Promise<PasskeyAdded>;
  list(userId: string): Promise<StoredPasskey[]>;
  /** The user's passkey of that credential id, or null. */
  findByCredential(userId: string, credentialId: string): Promise<StoredPasskey | null>;
  /**
   * Records a verified sign-in: the new counter and `lastUsedAt`, only when the counter went
   * forward (or both it and the stored one are 0: no counter). Of concurrent uses reporting the
   * same counter, one wins. 'regressed' changes nothing: a clone of the authenticator may exist.
   */
  use(userId: string, credentialId: string, counter: number, now: number): Promise<PasskeyUse>;
  /** Removes one passkey by its id (another user may then register it); false when none. */
  remove(userId: string, id: string, keepOne?: boolean): Promise<boolean | 'last'>;
  /** Removes every passkey and pending registration of the user (a deleted user). */
  removeAll(userId: string): Promise<void>;
}
/*
 * remove(): with `keepOne`, the user's last passkey is not removed ('last'): of concurrent
 * removals of a user who must keep a factor, at most all but one succeed (checked in the same
 * atomic step as the removal).
 */
export const PasskeyStore = Symbol('PasskeyStore');
export const InjectPasskeyStore = () => Inject(PasskeyStore);
