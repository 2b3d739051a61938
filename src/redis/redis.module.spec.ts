import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { RedisConnection } from './redis.connection';
import { RedisModule } from './redis.module';

@Injectable()
class NeedsRedis {
  constructor(readonly connection: RedisConnection) {}
}

/** A feature module that does not import RedisModule: the connection must come from the global. */
@Module({ providers: [NeedsRedis] })
class FeatureModule {}

describe('RedisModule', () => {
  it('provides RedisConnection globally from forRoot options', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        RedisModule.forRoot({ driver: { kind: 'memory' }, keyPrefix: 't:' }),
        FeatureModule,
      ],
    }).compile();
    const { connection } = moduleRef.get(NeedsRedis);
    expect(connection).toBeInstanceOf(RedisConnection);
    // Memory driver: no connection is ever opened.
    expect(() => connection.client).toThrow(/memory store driver/);
    await moduleRef.close();
  });

  it('builds its options asynchronously with forRootAsync', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        RedisModule.forRootAsync({
          useFactory: () =>
            Promise.resolve({ driver: { kind: 'memory' as const }, keyPrefix: 't:' }),
        }),
        FeatureModule,
      ],
    }).compile();
    await expect(moduleRef.get(NeedsRedis).connection.isHealthy()).resolves.toBe(true);
    await moduleRef.close();
  });
});
