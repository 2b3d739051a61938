import { FactoryProvider } from '@nestjs/common';
import { Clock } from '../common/time/clock';
import { storeConfig, StoreConfig } from '../config/configuration';
import { RedisConnection } from '../redis/redis.connection';

export interface StoreDrivers<T> {
  memory: (clock: Clock) => T;
  redis: (connection: RedisConnection, clock: Clock) => T;
}

/**
 * The one place that asks which store driver runs: a factory provider per port, choosing by an
 * exhaustive switch over validated config. Nothing else branches on the driver.
 */
export function storeProvider<T>(token: symbol, drivers: StoreDrivers<T>): FactoryProvider<T> {
  return {
    provide: token,
    inject: [storeConfig.KEY, RedisConnection, Clock],
    useFactory: (config: StoreConfig, connection: RedisConnection, clock: Clock): T => {
      const kind = config.driver.kind;
      switch (kind) {
        case 'memory':
          return drivers.memory(clock);
        case 'redis':
          return drivers.redis(connection, clock);
      }
    },
  };
}
