import { ThrottlerStorage } from '@nestjs/throttler';
import { storeProvider } from '../store/store.provider';
import { MemoryThrottlerStorage } from './memory-throttler.storage';
import { RedisThrottlerStorage } from './redis-throttler.storage';

/** What `ThrottlerStorage.increment` resolves to (the package does not export the type). */
export type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** Our token for the store-backed storage; ThrottleModule hands it to ThrottlerModule. */
export const THROTTLER_STORE = Symbol('ThrottlerStore');

/** Provides the throttler storage with the configured driver. */
export const throttlerStorageProvider = storeProvider<ThrottlerStorage>(THROTTLER_STORE, {
  memory: (clock) => new MemoryThrottlerStorage(clock),
  redis: (connection) => new RedisThrottlerStorage(connection.client),
});
