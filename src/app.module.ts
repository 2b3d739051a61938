import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { CommonModule } from './common/common.module';
import { nestLoggerParams } from './common/logging/http-logger';
import { configLoaders, storeConfig, StoreConfig } from './config/configuration';
import { Env } from './config/env.validation';
import { HealthModule } from './health/health.module';
import { RedisModule } from './redis/redis.module';
import { ThrottleModule } from './throttle/throttle.module';
import { TokensModule } from './tokens/tokens.module';
import { UsersModule } from './users/users.module';
import { OAuthModule } from './oauth/oauth.module';
import { WsModule } from './ws/ws.module';

/**
 * The application, built from an already validated Env (main.ts validates the process
 * environment; e2e tests build several instances with their own Env in one process).
 */
@Module({})
export class AppModule {
  /** `logger` is the app's one pino instance (app.factory builds it; tests capture its output). */
  static forRoot(env: Env, options: { logger: Logger }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: configLoaders(env) }),
        LoggerModule.forRoot(nestLoggerParams(options.logger)),
        CommonModule,
        AuditModule,
        RedisModule.forRootAsync({
          inject: [storeConfig.KEY],
          useFactory: (store: StoreConfig) => ({
            driver: store.driver,
            keyPrefix: store.keyPrefix,
          }),
        }),
        ThrottleModule,
        TokensModule,
        UsersModule,
        AuthModule,
        HealthModule,
        OAuthModule,
        WsModule,
      ],
    };
  }
}
