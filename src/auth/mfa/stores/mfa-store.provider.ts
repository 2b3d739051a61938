import { storeProvider } from '../../../store/store.provider';
import { MfaStore } from '../mfa.store';
import { MemoryMfaStore } from './memory-mfa.store';
import { RedisMfaStore } from './redis-mfa.store';

/** Provides `MfaStore` with the configured driver. */
export const mfaStoreProvider = storeProvider<MfaStore>(MfaStore, {
  memory: (clock) => new MemoryMfaStore(clock),
  redis: (connection) => new RedisMfaStore(connection.client),
});
