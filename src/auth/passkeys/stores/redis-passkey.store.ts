import { Clock } from '../../../common/time/clock';
import { FailClosed } from '../../../redis/fail-closed';
import { RedisClient } from '../../../redis/redis.scripts';
import {
  credentialKey,
  PasskeyAdded,
  PasskeyStore,
  PasskeyUse,
  StoredPasskey,
} from '../passkey.store';

/*
 * Key layout (under the configured prefix). A user's keys share the hash tag `{u:<id>}` of the
 * sessions and the second factor, so every script below is atomic on a Cluster too:
 *   {u:<uid>}:passkeys          HASH    key -> JSON of the passkey, counter and lastUsedAt aside
 *   {u:<uid>}:passkeys:use      HASH    key -> "<counter>:<lastUsedAt or empty>"
 * where key is the SHA-256 of the credential id (credentialKey).
 *   {u:<uid>}:passkeys:reg      HASH    session id -> "<expiresAt>:<challenge>" of a registration
 *                                       that session started (the key expires with its newest)
 *   passkey:login:<challenge>   STRING  a sign-in challenge (PX); names no user
 *   passkey:cred:<key>          STRING  the user id a credential id is registered for: one user
 *                                       at most. Its own slot on a Cluster, so it is claimed
 *                                       before the add and released after a removal, in steps
 *                                       of their own.
 */
const base = (userId: string) => `{u:${userId}}:passkeys`;
const key = {
  passkeys: base,
  uses: (userId: string) => `${base(userId)}:use`,
  registration: (userId: string) => `${base(userId)}:reg`,
  login: (challenge: string) => `passkey:login:${challenge}`,
  claim: (credential: string) => `passkey:cred:${credential}`,
};

type Static = Omit<StoredPasskey, 'counter' | 'lastUsedAt'>;

/** Passkeys in Redis, shared by every instance; the atomic steps are Lua scripts. */
@FailClosed()
export class RedisPasskeyStore implements PasskeyStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly clock: Clock,
  ) {}

  async saveRegistrationChallenge(
    userId: string,
    sessionId: string,
    challenge: string,
    ttlMs: number,
  ): Promise<void> {
    const now = this.clock.now();
    const held = `${now + ttlMs}:${challenge}`;
    await this.redis.passkeyRegSave(key.registration(userId), sessionId, held, now, ttlMs);
  }

  takeRegistrationChallenge(userId: string, sessionId: string): Promise<string | null> {
    return this.redis.passkeyRegTake(key.registration(userId), sessionId, this.clock.now());
  }

  async saveLoginChallenge(challenge: string, ttlMs: number): Promise<void> {
    await this.redis.set(key.login(challenge), '1', 'PX', ttlMs);
  }

  async takeLoginChallenge(challenge: string): Promise<boolean> {
    return (await this.redis.del(key.login(challenge))) === 1;
  }

  async add(userId: string, passkey: StoredPasskey, max: number): Promise<PasskeyAdded> {
    const field = credentialKey(passkey.credentialId);
    const claim = key.claim(field);
    // Of two users racing for one credential id, one claims it; the other is refused here.
    if ((await this.redis.passkeyClaim(claim, userId)) === 0) return 'taken';
    const added = (await this.redis.passkeyAdd(
      key.passkeys(userId),
      key.uses(userId),
      field,
      staticJson(passkey),
      passkey.counter,
      max,
    )) as PasskeyAdded;
    // 'full': the user holds no passkey of this id ('exists' is checked first), so the claim is
    // not needed. On an error the claim stays: the add may have happened (a lost reply), and a
    // stale claim of this user only keeps others from the credential id, not the user's retry.
    if (added === 'full') await this.redis.passkeyRelease(claim, userId);
    return added;
  }

  async list(userId: string): Promise<StoredPasskey[]> {
    const [passkeys, uses] = await Promise.all([
      this.redis.hgetall(key.passkeys(userId)),
      this.redis.hgetall(key.uses(userId)),
    ]);
    return Object.entries(passkeys).map(([field, json]) => withUse(json, uses[field]));
  }

  async findByCredential(userId: string, credentialId: string): Promise<StoredPasskey | null> {
    const field = credentialKey(credentialId);
    const [json, use] = await Promise.all([
      this.redis.hget(key.passkeys(userId), field),
      this.redis.hget(key.uses(userId), field),
    ]);
    return json ? withUse(json, use ?? undefined) : null;
  }

  async use(userId: string, credentialId: string, counter: number, now: number) {
    const [outcome, stored] = await this.redis.passkeyUse(
      key.passkeys(userId),
      key.uses(userId),
      credentialKey(credentialId),
      counter,
      now,
    );
    return { outcome, stored: Number(stored) } as PasskeyUse;
  }

  async remove(userId: string, id: string, keepOne = false): Promise<boolean | 'last'> {
    const removed = await this.redis.passkeyRemove(
      key.passkeys(userId),
      key.uses(userId),
      id,
      keepOne ? 1 : 0,
    );
    if (typeof removed !== 'string') return removed === -1 ? 'last' : false;
    await this.redis.passkeyRelease(key.claim(removed), userId);
    return true;
  }

  async removeAll(userId: string): Promise<void> {
    const held = await this.redis.passkeyRemoveAll(
      key.passkeys(userId),
      key.uses(userId),
      key.registration(userId),
    );
    await Promise.all(held.map((field) => this.redis.passkeyRelease(key.claim(field), userId)));
  }
}

/**
 * What the passkeys hash keeps of a passkey: its counter and last use change on every sign-in,
 * so they live in the other hash.
 */
function staticJson(passkey: StoredPasskey): string {
  const stored: Static = {
    id: passkey.id,
    credentialId: passkey.credentialId,
    publicKey: passkey.publicKey,
    transports: passkey.transports,
    name: passkey.name,
    deviceType: passkey.deviceType,
    backedUp: passkey.backedUp,
    createdAt: passkey.createdAt,
  };
  return JSON.stringify(stored);
}

/** A stored passkey from its JSON and its "<counter>:<lastUsedAt>" field. */
function withUse(json: string, use: string | undefined): StoredPasskey {
  const [counter, lastUsedAt] = (use ?? '0:').split(':');
  return {
    ...(JSON.parse(json) as Static),
    counter: Number(counter) || 0,
    lastUsedAt: lastUsedAt ? Number(lastUsedAt) : null,
  };
}
