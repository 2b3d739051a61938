import { storeProvider } from '../../../store/store.provider';
import { LoginAttemptStore } from '../login-attempt.store';
import { MemoryLoginAttemptStore } from './memory-login-attempt.store';
import { RedisLoginAttemptStore } from './redis-login-attempt.store';

/** Provides `LoginAttemptStore` with the configured driver. */
export const loginAttemptStoreProvider = storeProvider<LoginAttemptStore>(LoginAttemptStore, {
  memory: (clock) => new MemoryLoginAttemptStore(clock),
  redis: (connection) => new RedisLoginAttemptStore(connection.client),
});
