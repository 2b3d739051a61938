import { Module } from '@nestjs/common';
import { TokensModule } from '../../tokens/tokens.module';
import { UsersModule } from '../../users/users.module';
import { BruteForceModule } from '../brute-force/brute-force.module';
import { MfaController } from './mfa.controller';
import { mfaSecretBoxProvider } from './mfa-secret-box';
import { MfaTokenService } from './mfa-token.service';
import { MfaService } from './mfa.service';
import { mfaStoreProvider } from './stores/mfa-store.provider';

/**
 * The TOTP second factor: its store, the key that seals secrets, mfa_tokens and the enrolment
 * routes. AuthModule uses MfaService for the sign-in challenge (POST /auth/login/mfa).
 */
@Module({
  imports: [TokensModule, UsersModule, BruteForceModule],
  controllers: [MfaController],
  providers: [mfaStoreProvider, mfaSecretBoxProvider, MfaTokenService, MfaService],
  exports: [MfaService],
})
export class MfaModule {}
