import { Module } from '@nestjs/common';
import { BruteForceService } from './brute-force.service';
import { DeviceCookie } from './device-cookie';
import { DeviceTokens } from './device-token';
import { loginAttemptStoreProvider } from './stores/login-attempt-store.provider';

/** Failed-login counters, locks and device cookies for the login flow. */
@Module({
  providers: [loginAttemptStoreProvider, DeviceTokens, BruteForceService, DeviceCookie],
  exports: [BruteForceService, DeviceCookie],
})
export class BruteForceModule {}
