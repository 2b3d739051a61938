import { storeProvider } from '../../store/store.provider';
import { UserStore } from '../user.store';
import { MemoryUserStore } from './memory-user.store';
import { RedisUserStore } from './redis-user.store';

/** Provides `UserStore` with the configured driver; add it to the users module's providers. */
export const userStoreProvider = storeProvider<UserStore>(UserStore, {
  memory: () => new MemoryUserStore(),
  redis: (connection) => new RedisUserStore(connection.client, connection.acks),
});
