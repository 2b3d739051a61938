import { Module } from '@nestjs/common';
import { ThrottlerModule, ThrottlerStorage } from '@nestjs/throttler';
import { THROTTLE_WINDOW_MS } from './throttle.limits';
import { THROTTLER_STORE, throttlerStorageProvider } from './throttler-storage.provider';

/** Holds the store-backed storage so ThrottlerModule.forRootAsync can inject it. */
@Module({ providers: [throttlerStorageProvider], exports: [THROTTLER_STORE] })
class ThrottlerStoreModule {}

/**
 * @nestjs/throttler on our store. No guard is global: routes opt in with `@Throttled(limit)`.
 * The default throttler's values are placeholders that every `@Throttled` route overrides.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      imports: [ThrottlerStoreModule],
      inject: [THROTTLER_STORE],
      useFactory: (storage: ThrottlerStorage) => ({
        throttlers: [{ name: 'default', ttl: THROTTLE_WINDOW_MS, limit: 60 }],
        storage,
        // Our 429 carries Retry-After itself (StoreThrottlerGuard); no X-RateLimit-* headers.
        setHeaders: false,
      }),
    }),
  ],
})
export class ThrottleModule {}
