import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { RedisConnection } from '../redis/redis.connection';

/** Up when the store answers: always for the memory store, a PING for Redis. */
@Injectable()
export class StoreHealthIndicator {
  constructor(
    private readonly indicator: HealthIndicatorService,
    private readonly redis: RedisConnection,
  ) {}

  async check(key: string) {
    const session = this.indicator.check(key);
    return (await this.redis.isHealthy()) ? session.up() : session.down();
  }
}
