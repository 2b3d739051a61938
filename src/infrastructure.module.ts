import { DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import type { Logger } from 'pino';
import { AuditModule } from './audit/audit.module';
import { CommonModule } from './common/common.module';
import { RootLogger } from './common/logging/root-logger';
import { configLoaders, storeConfig, StoreConfig } from './config/configuration';
import { Env } from './config/env.validation';
import { RedisModule } from './redis/redis.module';

/**
 * What every Tessera process runs on, the HTTP app and the keys CLI alike: validated config, the
 * pino logger, the clock, the audit trail and the store connection. All of it is global.
 */
/** How long shutdown waits for the log to be written before it goes on regardless. */
const LOG_FLUSH_TIMEOUT_MS = 2000;

/** The process's pino logger as a global provider (`@InjectRootLogger()`). */
@Module({})
class RootLoggerModule implements OnApplicationShutdown {
  constructor(@Inject(RootLogger) private readonly logger: Logger) {}

  /**
   * Production writes the log in batches of 4 KiB, asynchronously: at shutdown, waits for the
   * batch being written and writes the rest (pino writes what is logged after this synchronously
   * at exit, see app.factory's shutdown hooks). Bounded: a stuck stdout never holds the exit.
   */
  onApplicationShutdown(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, LOG_FLUSH_TIMEOUT_MS);
      timer.unref();
      this.logger.flush(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  static forRoot(logger: Logger): DynamicModule {
    return {
      module: RootLoggerModule,
      global: true,
      providers: [{ provide: RootLogger, useValue: logger }],
      exports: [RootLogger],
    };
  }
}

@Module({})
export class InfrastructureModule {
  static forRoot(env: Env, logger: Logger): DynamicModule {
    return {
      module: InfrastructureModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: configLoaders(env) }),
        RootLoggerModule.forRoot(logger),
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
