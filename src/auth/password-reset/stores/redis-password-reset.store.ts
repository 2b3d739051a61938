import { RedisClient } from '../../../redis/redis.scripts';
import { RedisUserTokenStore } from '../../user-tokens/redis-user-token.store';
import { PasswordResetStore } from '../password-reset.store';

/**
 * Reset tokens in Redis, shared by every instance: `{u:<uid>}:pr:<hash>` holding the fingerprint
 * of the password hash (layout in RedisUserTokenStore).
 */
export class RedisPasswordResetStore extends RedisUserTokenStore implements PasswordResetStore {
  constructor(redis: RedisClient) {
    super(redis, 'pr');
  }
}
