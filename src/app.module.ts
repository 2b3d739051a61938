import { DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { AuthModule } from './auth/auth.module';
import { Env } from './config/env.validation';
import { HealthModule } from './health/health.module';
import { InfrastructureModule } from './infrastructure.module';
import { MailModule } from './mail/mail.module';
import { MetricsModule } from './metrics/metrics.module';
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
        InfrastructureModule.forRoot(env, options.logger),
        MetricsModule,
        ThrottleModule,
        MailModule,
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
