import { FactoryProvider } from '@nestjs/common';
import { storeProvider } from '../../store/store.provider';
import { SessionEvents } from '../../ws/session-events/session-events';
import { SessionStore } from '../session.store';
import { MemorySessionStore } from './memory-session.store';
import { NotifyingSessionStore } from './notifying-session.store';
import { RedisSessionStore } from './redis-session.store';

/** The bare driver; only the notifying `SessionStore` below uses it. */
const SessionStoreDriver = Symbol('SessionStoreDriver');

const sessionStoreDriverProvider = storeProvider<SessionStore>(SessionStoreDriver, {
  memory: (clock) => new MemorySessionStore(clock),
  redis: (connection, clock) => new RedisSessionStore(connection.client, clock, connection.acks),
});

/**
 * Provides `SessionStore`: the configured driver, wrapped so that every ended session is announced
 * to the WebSocket gateways of all instances. Add both to the tokens module's providers, with
 * `SessionEvents`.
 */
export const sessionStoreProviders: FactoryProvider[] = [
  sessionStoreDriverProvider,
  {
    provide: SessionStore,
    inject: [SessionStoreDriver, SessionEvents],
    useFactory: (driver: SessionStore, events: SessionEvents): SessionStore =>
      new NotifyingSessionStore(driver, events),
  },
];
