import { storeProvider } from '../../store/store.provider';
import { SessionStore } from '../session.store';
import { MemorySessionStore } from './memory-session.store';
import { RedisSessionStore } from './redis-session.store';

/** Provides `SessionStore` with the configured driver; add it to the tokens module's providers. */
export const sessionStoreProvider = storeProvider<SessionStore>(SessionStore, {
  memory: (clock) => new MemorySessionStore(clock),
  redis: (connection, clock) => new RedisSessionStore(connection.client, clock),
});
