import { DynamicModule, Module } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { createAppLogger } from '../common/logging/http-logger';
import { Env } from '../config/env.validation';
import { InfrastructureModule } from '../infrastructure.module';
import { PasswordHasher } from '../users/password-hasher';
import { PasswordPolicy } from '../users/password-policy';
import { userStoreProvider } from '../users/stores/user-store.provider';
import { UsersService } from '../users/users.service';

/**
 * What `npm run seed` runs in: the application's config, store and audit trail (USER_CREATED
 * lands where the instances' events do) and UsersService, so a seeded account passes the same
 * password policy and hashing as a registered one. No HTTP, no signing keys.
 */
@Module({})
export class SeedCliModule {
  /** `logDestination`: where the JSON log lines (the audit lines among them) go. */
  static forRoot(env: Env, logDestination: DestinationStream): DynamicModule {
    return {
      module: SeedCliModule,
      imports: [InfrastructureModule.forRoot(env, createAppLogger(env.app, logDestination))],
      providers: [userStoreProvider, UsersService, PasswordHasher, PasswordPolicy],
    };
  }
}
