import { Module } from '@nestjs/common';
import { ConfigurableRedisModule } from './redis.module-definition';
import { RedisConnection } from './redis.connection';

/**
 * Owns the one ioredis client of the process (standalone, Sentinel or Cluster). Global, so the
 * store providers can inject `RedisConnection` without each feature module importing it. With
 * the memory driver it is still imported (the store factories inject it) but never connects.
 *
 * ```ts
 * RedisModule.forRootAsync({
 *   inject: [storeConfig.KEY],
 *   useFactory: (store: StoreConfig) => ({ driver: store.driver, keyPrefix: store.keyPrefix }),
 * })
 * ```
 */
@Module({
  providers: [RedisConnection],
  exports: [RedisConnection],
})
export class RedisModule extends ConfigurableRedisModule {}
