import { ConfigurableModuleBuilder } from '@nestjs/common';
import { StoreDriver } from '../config/env.validation';

/** What RedisModule needs: the validated store driver and the prefix every key lives under. */
export interface RedisModuleOptions {
  driver: StoreDriver;
  /** Prepended to every key by ioredis, so several deployments can share one Redis. */
  keyPrefix: string;
}

export const {
  ConfigurableModuleClass: ConfigurableRedisModule,
  MODULE_OPTIONS_TOKEN: REDIS_MODULE_OPTIONS,
  OPTIONS_TYPE: REDIS_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: REDIS_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<RedisModuleOptions>({ moduleName: 'Redis' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
