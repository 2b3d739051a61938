import { FailClosed } from '../../redis/fail-closed';
import { RedisClient } from '../../redis/redis.scripts';

/*
 * Key layout (under the configured prefix). A token lives under its user's hash tag, `{u:<id>}`,
 * beside that user's sessions (src/tokens/stores/redis-session.store.ts), so a script that ends
 * everything of a user can reach it on a Cluster too:
 *   {u:<uid>}:<kind>:<sha256 of the secret>   STRING  the value it is bound to (PX = expiry)
 * `kind` is `ev` (email verification: the email) or `pr` (password reset: the fingerprint of the
 * password hash). Taking one is one GETDEL: single use without a script.
 */

/** Mailed single-use tokens in Redis, shared by every instance. */
@FailClosed()
export class RedisUserTokenStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly kind: 'ev' | 'pr',
  ) {}

  async save(userId: string, hash: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.key(userId, hash), value, 'PX', ttlMs);
  }

  /** The value of a live token, leaving it in place. */
  async find(userId: string, hash: string): Promise<string | null> {
    return this.redis.get(this.key(userId, hash));
  }

  async take(userId: string, hash: string): Promise<string | null> {
    return this.redis.getdel(this.key(userId, hash));
  }

  private key(userId: string, hash: string): string {
    return `{u:${userId}}:${this.kind}:${hash}`;
  }
}
