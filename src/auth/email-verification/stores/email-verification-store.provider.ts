import { storeProvider } from '../../../store/store.provider';
import { EmailVerificationStore } from '../email-verification.store';
import { MemoryEmailVerificationStore } from './memory-email-verification.store';
import { RedisEmailVerificationStore } from './redis-email-verification.store';

/** Provides `EmailVerificationStore` with the configured driver. */
export const emailVerificationStoreProvider = storeProvider<EmailVerificationStore>(
  EmailVerificationStore,
  {
    memory: (clock) => new MemoryEmailVerificationStore(clock),
    redis: (connection) => new RedisEmailVerificationStore(connection.client),
  },
);
