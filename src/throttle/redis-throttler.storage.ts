import { ThrottlerStorage } from '@nestjs/throttler';
import { FailClosed } from '../redis/fail-closed';
import { RedisClient } from '../redis/redis.scripts';
import type { ThrottlerStorageRecord } from './throttler-storage.provider';

/*
 * Key layout (under the configured prefix); both keys of one tracker share a hash tag, so the
 * script runs on a Cluster too:
 *   {th:<name>:<key>}:hits   STRING  hits in the current window (PEXPIRE = window end)
 *   {th:<name>:<key>}:block  STRING  present while the tracker is blocked
 */
const tag = (name: string, key: string) => `{th:${name}:${key}}`;

/**
 * `ThrottlerStorage` for @nestjs/throttler on our RedisModule, shared by every instance.
 *
 * It implements a **fixed window** that starts with a tracker's first hit (not a sliding
 * window): up to `limit` hits pass within `ttl`; the hit over the limit blocks the tracker for
 * `blockDuration`, after which a fresh window starts. Hits during a block are not counted, so
 * retrying does not extend it. A burst of up to 2 × limit can straddle a window edge, which is
 * fine for its purpose (bounding argon2 work per client). One Lua script per hit (throttle.lua):
 * INCR, PEXPIRE and the block are atomic across instances.
 */
@FailClosed()
export class RedisThrottlerStorage implements ThrottlerStorage {
  constructor(private readonly redis: RedisClient) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const prefix = tag(throttlerName, key);
    const [totalHits, windowMs, blocked, blockMs] = await this.redis.throttle(
      `${prefix}:hits`,
      `${prefix}:block`,
      ttl,
      limit,
      blockDuration,
    );
    return {
      totalHits,
      timeToExpire: Math.ceil(windowMs / 1000),
      isBlocked: blocked === 1,
      timeToBlockExpire: Math.ceil(blockMs / 1000),
    };
  }
}
