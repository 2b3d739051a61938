import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AuditModule } from '../audit/audit.module';
import { CommonModule } from '../common/common.module';
import { createHttpLogger, nestLoggerParams } from '../common/logging/http-logger';
import { configLoaders, storeConfig, StoreConfig } from '../config/configuration';
import { Env } from '../config/env.validation';
import { RedisModule } from '../redis/redis.module';
import { KeyRotation } from '../tokens/key-rotation';

/**
 * What `npm run keys:rotate` / `keys:list` run in: the application's config, clock, logger and
 * audit trail (so KEY_ROTATED lands in the same store as the instances' events) and KeyRotation,
 * without HTTP and without SigningKeys (which would refuse an empty keys dir in production, where
 * keys:rotate is how the first key is made).
 */
@Module({})
export class KeysCliModule {
  /** `logDestination`: where the JSON log lines (the audit line among them) go. */
  static forRoot(env: Env, logDestination: DestinationStream): DynamicModule {
    return {
      module: KeysCliModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: configLoaders(env) }),
        LoggerModule.forRoot(nestLoggerParams(createHttpLogger(env.app, logDestination))),
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
      providers: [KeyRotation],
    };
  }
}
