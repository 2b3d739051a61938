import { FailClosed } from '../../../redis/fail-closed';
import { RedisClient } from '../../../redis/redis.scripts';
import { EmailVerificationStore } from '../email-verification.store';

/*
 * Key layout (under the configured prefix). A token lives under its user's hash tag, `{u:<id>}`,
 * beside that user's sessions (src/tokens/stores/redis-session.store.ts), so a script that ends
 * everything of a user can reach it on a Cluster too:
 *   {u:<uid>}:ev:<sha256 of the secret>   STRING  the email the token was mailed to (PX = expiry)
 * Taking it is one GETDEL: single use without a script.
 */
const key = (userId: string, hash: string) => `{u:${userId}}:ev:${hash}`;

/** Verification tokens in Redis, shared by every instance. */
@FailClosed()
export class RedisEmailVerificationStore implements EmailVerificationStore {
  constructor(private readonly redis: RedisClient) {}

  async save(userId: string, hash: string, email: string, ttlMs: number): Promise<void> {
    await this.redis.set(key(userId, hash), email, 'PX', ttlMs);
  }

  take(userId: string, hash: string): Promise<string | null> {
    return this.redis.getdel(key(userId, hash));
  }
}
