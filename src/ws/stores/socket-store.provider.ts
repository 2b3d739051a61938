import { storeProvider } from '../../store/store.provider';
import { SocketStore } from '../socket.store';
import { MemorySocketStore } from './memory-socket.store';
import { RedisSocketStore } from './redis-socket.store';

/** Provides `SocketStore` with the configured driver; add it to the WebSocket module's providers. */
export const socketStoreProvider = storeProvider<SocketStore>(SocketStore, {
  memory: (clock) => new MemorySocketStore(clock),
  redis: (connection, clock) => new RedisSocketStore(connection.client, clock),
});
