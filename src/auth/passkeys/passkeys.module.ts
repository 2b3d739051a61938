import { Module } from '@nestjs/common';
import { TokensModule } from '../../tokens/tokens.module';
import { UsersModule } from '../../users/users.module';
import { BruteForceModule } from '../brute-force/brute-force.module';
import { MfaModule } from '../mfa/mfa.module';
import { PasskeyDemoController } from './passkey-demo.controller';
import { PasskeySignInService } from './passkey-sign-in.service';
import { PasskeysController } from './passkeys.controller';
import { PasskeysService } from './passkeys.service';
import { passkeyStoreProvider } from './stores/passkey-store.provider';

/**
 * Passkeys (WebAuthn): their store, registration, listing and removal, and the page for trying
 * them. AuthModule serves the sign-in (POST /auth/login/passkey) with PasskeySignInService.
 */
@Module({
  imports: [TokensModule, UsersModule, BruteForceModule, MfaModule],
  controllers: [PasskeysController, PasskeyDemoController],
  providers: [passkeyStoreProvider, PasskeysService, PasskeySignInService],
  exports: [PasskeysService, PasskeySignInService],
})
export class PasskeysModule {}
