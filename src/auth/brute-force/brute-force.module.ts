import { Module } from '@nestjs/common';
import { TokensModule } from '../../tokens/tokens.module';
import { BruteForceService } from './brute-force.service';
import { DeviceCookie } from './device-cookie';
import { DeviceTokens } from './device-token';
import { loginAttemptStoreProvider } from './stores/login-attempt-store.provider';

/** Failed-login counters, locks and device cookies for the login flow. */
@Module({
  // Known devices live with the user's sessions and credential generation (SessionStore).
  imports: [TokensModule],
  providers: [loginAttemptStoreProvider, DeviceTokens, BruteForceService, DeviceCookie],
  exports: [BruteForceService, DeviceCookie],
})
export class BruteForceModule {}
