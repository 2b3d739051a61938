import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { storeConfig, StoreConfig } from '../config/configuration';
import { RedisConnection } from '../redis/redis.connection';

/** Up when the store answers: always for the memory store, a PING for Redis. */
@Injectable()
export class StoreHealthIndicator {
  constructor(
    private readonly indicator: HealthIndicatorService,
    @Inject(storeConfig.KEY) private readonly store: StoreConfig,
    private readonly redis: RedisConnection,
  ) {}

  async check(key: string) {
    const session = this.indicator.check(key);
    const kind = this.store.driver.kind;
    const healthy = kind === 'memory' || (await this.redis.isHealthy());
    return healthy ? session.up({ driver: kind }) : session.down({ driver: kind });
  }
}
