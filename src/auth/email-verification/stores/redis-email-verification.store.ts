import { RedisClient } from '../../../redis/redis.scripts';
import { RedisUserTokenStore } from '../../user-tokens/redis-user-token.store';
import { EmailVerificationStore } from '../email-verification.store';

/**
 * Verification tokens in Redis, shared by every instance: `{u:<uid>}:ev:<hash>` holding the email
 * the token was mailed to (layout in RedisUserTokenStore).
 */
export class RedisEmailVerificationStore
  extends RedisUserTokenStore
  implements EmailVerificationStore
{
  constructor(redis: RedisClient) {
    super(redis, 'ev');
  }
}
