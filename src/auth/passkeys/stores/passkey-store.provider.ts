import { storeProvider } from '../../../store/store.provider';
import { PasskeyStore } from '../passkey.store';
import { MemoryPasskeyStore } from './memory-passkey.store';
import { RedisPasskeyStore } from './redis-passkey.store';

/** Provides `PasskeyStore` with the configured driver. */
export const passkeyStoreProvider = storeProvider<PasskeyStore>(PasskeyStore, {
  memory: (clock) => new MemoryPasskeyStore(clock),
  redis: (connection, clock) => new RedisPasskeyStore(connection.client, clock),
});
