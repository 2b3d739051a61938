import { storeProvider } from '../../store/store.provider';
import { MemorySessionEvents } from './memory-session-events';
import { RedisSessionEvents } from './redis-session-events';
import { SessionEvents } from './session-events';

/** Provides `SessionEvents` for the configured store driver (in-process, or Redis pub/sub). */
export const sessionEventsProvider = storeProvider<SessionEvents>(SessionEvents, {
  memory: () => new MemorySessionEvents(),
  redis: (connection) => new RedisSessionEvents(connection),
});
