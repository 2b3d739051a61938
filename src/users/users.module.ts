import { Module } from '@nestjs/common';
import { TokensModule } from '../tokens/tokens.module';
import { BootstrapAdmin } from './bootstrap-admin';
import { PasswordHasher } from './password-hasher';
import { PasswordPolicy } from './password-policy';
import { CallerLookup, callerLookupProviders } from './stores/caller-lookup';
import { userStoreProvider } from './stores/user-store.provider';
import { UserAdminService } from './user-admin.service';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

/** Users, their passwords, and the admin API over them. */
@Module({
  imports: [TokensModule],
  controllers: [UsersController],
  providers: [
    userStoreProvider,
    ...callerLookupProviders,
    UsersService,
    UserAdminService,
    PasswordHasher,
    PasswordPolicy,
    BootstrapAdmin,
  ],
  exports: [UsersService, PasswordHasher, PasswordPolicy, CallerLookup],
})
export class UsersModule {}
