import { Clock } from '../../../common/time/clock';
import {
  credentialKey,
  PasskeyAdded,
  PasskeyStore,
  PasskeyUse,
  StoredPasskey,
} from '../passkey.store';

interface Expiring<T> {
  value: T;
  expiresAt: number;
}

/**
 * Passkeys in process memory: complete for one process, like RedisPasskeyStore. Every method
 * reads and writes in one synchronous step, so concurrent calls cannot interleave.
 */
export class MemoryPasskeyStore implements PasskeyStore {
  private readonly passkeys = new Map<string, Map<string, StoredPasskey>>();
  /** User id -> session id -> the challenge of the registration that session asked for. */
  private readonly registrations = new Map<string, Map<string, Expiring<string>>>();
  private readonly logins = new Map<string, number>();
  /** Credential key -> the one user it is registered for. */
  private readonly owners = new Map<string, string>();

  constructor(private readonly clock: Clock) {}

  saveRegistrationChallenge(
    userId: string,
    sessionId: string,
    challenge: string,
    ttlMs: number,
  ): Promise<void> {
    const now = this.clock.now();
    const mine = this.registrations.get(userId) ?? new Map<string, Expiring<string>>();
    for (const [session, pending] of mine) {
      if (pending.expiresAt <= now) mine.delete(session);
    }
    mine.set(sessionId, { value: challenge, expiresAt: now + ttlMs });
    this.registrations.set(userId, mine);
    return Promise.resolve();
  }

  takeRegistrationChallenge(userId: string, sessionId: string): Promise<string | null> {
    const mine = this.registrations.get(userId);
    const pending = mine?.get(sessionId);
    mine?.delete(sessionId);
    if (mine?.size === 0) this.registrations.delete(userId);
    const live = pending && pending.expiresAt > this.clock.now() ? pending.value : null;
    return Promise.resolve(live);
  }

  saveLoginChallenge(challenge: string, ttlMs: number): Promise<void> {
    this.sweep();
    this.logins.set(challenge, this.clock.now() + ttlMs);
    return Promise.resolve();
  }

  takeLoginChallenge(challenge: string): Promise<boolean> {
    const expiresAt = this.logins.get(challenge);
    this.logins.delete(challenge);
    return Promise.resolve(expiresAt !== undefined && expiresAt > this.clock.now());
  }

  add(userId: string, passkey: StoredPasskey, max: number): Promise<PasskeyAdded> {
    const mine = this.passkeys.get(userId) ?? new Map<string, StoredPasskey>();
    const key = credentialKey(passkey.credentialId);
    if (mine.has(key)) return Promise.resolve('exists');
    const owner = this.owners.get(key);
    if (owner !== undefined && owner !== userId) return Promise.resolve('taken');
    if (mine.size >= max) return Promise.resolve('full');
    mine.set(key, { ...passkey, transports: [...passkey.transports] });
    this.passkeys.set(userId, mine);
    this.owners.set(key, userId);
    return Promise.resolve('added');
  }

  list(userId: string): Promise<StoredPasskey[]> {
    const mine = [...(this.passkeys.get(userId)?.values() ?? [])];
    return Promise.resolve(mine.map((p) => ({ ...p, transports: [...p.transports] })));
  }

  findByCredential(userId: string, credentialId: string): Promise<StoredPasskey | null> {
    const found = this.passkeys.get(userId)?.get(credentialKey(credentialId));
    return Promise.resolve(found ? { ...found, transports: [...found.transports] } : null);
  }

  use(userId: string, credentialId: string, counter: number, now: number): Promise<PasskeyUse> {
    const found = this.passkeys.get(userId)?.get(credentialKey(credentialId));
    if (!found) return Promise.resolve({ outcome: 'missing', stored: 0 });
    const stored = found.counter;
    if ((counter > 0 || stored > 0) && counter <= stored) {
      return Promise.resolve({ outcome: 'regressed', stored });
    }
    found.counter = counter;
    found.lastUsedAt = now;
    return Promise.resolve({ outcome: 'ok', stored });
  }

  remove(userId: string, id: string, keepOne = false): Promise<boolean | 'last'> {
    const mine = this.passkeys.get(userId);
    const key = [...(mine?.entries() ?? [])].find(([, passkey]) => passkey.id === id)?.[0];
    if (key === undefined || !mine) return Promise.resolve(false);
    if (keepOne && mine.size <= 1) return Promise.resolve('last');
    this.release(key, userId);
    return Promise.resolve(mine.delete(key));
  }

  removeAll(userId: string): Promise<void> {
    for (const key of this.passkeys.get(userId)?.keys() ?? []) this.release(key, userId);
    this.passkeys.delete(userId);
    this.registrations.delete(userId);
    return Promise.resolve();
  }

  /** Frees a credential key for other users, if it is still this user's. */
  private release(key: string, userId: string): void {
    if (this.owners.get(key) === userId) this.owners.delete(key);
  }

  /** Drops expired sign-in challenges, so unanswered ones do not pile up in the process. */
  private sweep(): void {
    const now = this.clock.now();
    for (const [challenge, expiresAt] of this.logins) {
      if (expiresAt <= now) this.logins.delete(challenge);
    }
  }
}
