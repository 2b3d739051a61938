import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { AuditModule } from './audit/audit.module';
import { CommonModule } from './common/common.module';
import { nestLoggerParams } from './common/logging/http-logger';
import { configLoaders, storeConfig, StoreConfig } from './config/configuration';
import { Env } from './config/env.validation';
import { RedisModule } from './redis/redis.module';

/**
 * What every Tessera process runs on, the HTTP app and the keys CLI alike: validated config, the
 * pino logger, the clock, the audit trail and the store connection. All of it is global.
 */
@Module({})
export class InfrastructureModule {
  static forRoot(env: Env, logger: Logger): DynamicModule {
    return {
      module: InfrastructureModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: configLoaders(env) }),
        LoggerModule.forRoot(nestLoggerParams(logger)),
        CommonModule,
        AuditModule,
        RedisModule.forRootAsync({
          inject: [storeConfig.KEY],
          useFactory: (store: StoreConfig) => ({
            driver: store.driver,
            keyPrefix: store.keyPrefix,
          }),
        }),
      ],
    };
  }
}
