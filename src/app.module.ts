import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { CommonModule } from './common/common.module';
import { configLoaders, storeConfig, StoreConfig } from './config/configuration';
import { Env } from './config/env.validation';
import { HealthModule } from './health/health.module';
import { RedisModule } from './redis/redis.module';
import { TokensModule } from './tokens/tokens.module';
import { UsersModule } from './users/users.module';

/**
 * The application, built from an already validated Env (main.ts validates the process
 * environment; e2e tests build several instances with their own Env in one process).
 */
@Module({})
export class AppModule {
  static forRoot(env: Env): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: configLoaders(env) }),
        CommonModule,
        AuditModule,
        RedisModule.forRootAsync({
          inject: [storeConfig.KEY],
          useFactory: (store: StoreConfig) => ({
            driver: store.driver,
            keyPrefix: store.keyPrefix,
          }),
        }),
        TokensModule,
        UsersModule,
        AuthModule,
        HealthModule,
      ],
    };
  }
}
