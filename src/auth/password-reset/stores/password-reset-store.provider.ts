import { storeProvider } from '../../../store/store.provider';
import { PasswordResetStore } from '../password-reset.store';
import { MemoryPasswordResetStore } from './memory-password-reset.store';
import { RedisPasswordResetStore } from './redis-password-reset.store';

/** Provides `PasswordResetStore` with the configured driver. */
export const passwordResetStoreProvider = storeProvider<PasswordResetStore>(PasswordResetStore, {
  memory: (clock) => new MemoryPasswordResetStore(clock),
  redis: (connection) => new RedisPasswordResetStore(connection.client),
});
