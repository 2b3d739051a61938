import { Clock } from '../../../common/time/clock';
import { FailClosed } from '../../../redis/fail-closed';
import { RedisClient } from '../../../redis/redis.scripts';
import { credentialKey, PasskeyStore, PasskeyUse, StoredPasskey } from '../passkey.store';

/*
 * Key layout (under the configured prefix). A user's keys share the hash tag `{u:<id>}` of the
 * sessions and the second factor, so every script below is atomic on a Cluster too:
 *   {u:<uid>}:passkeys          HASH    key -> JSON of the passkey, counter and lastUsedAt aside
 *   {u:<uid>}:passkeys:use      HASH    key -> "<counter>:<lastUsedAt or empty>"
 * where key is the SHA-256 of the credential id (credentialKey).
 *   {u:<uid>}:passkeys:reg      HASH    session id -> "<expiresAt>:<challenge>" of a registration
 *                                       that session started (the key expires with its newest)
 *   passkey:login:<challenge>   STRING  a sign-in challenge (PX); names no user
 */
const base = (userId: string) => `{u:${userId}}:passkeys`;
const key = {
  passkeys: base,
  uses: (userId: string) => `${base(userId)}:use`,
  registration: (userId: string) => `${base(userId)}:reg`,
  login: (challenge: string) => `passkey:login:${challenge}`,
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

  async add(userId: string, passkey: StoredPasskey, max: number) {
    // The counter and last use change on every sign-in: they live in the other hash.
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
    const json = JSON.stringify(stored);
    const added = await this.redis.passkeyAdd(
      key.passkeys(userId),
      key.uses(userId),
      credentialKey(passkey.credentialId),
      json,
      passkey.counter,
      max,
    );
    return added as 'added' | 'exists' | 'full';
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
    return removed === -1 ? 'last' : removed === 1;
  }

  async removeAll(userId: string): Promise<void> {
    await this.redis.del(key.passkeys(userId), key.uses(userId), key.registration(userId));
  }
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
