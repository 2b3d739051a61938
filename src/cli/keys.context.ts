import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { DestinationStream } from 'pino';
import { Env } from '../config/env.validation';
import { RedisConnection } from '../redis/redis.connection';
import { KeysCliModule } from './keys-cli.module';

/**
 * A Nest application context (no HTTP) over KeysCliModule. With Redis it waits for the
 * connection, so the KEY_ROTATED event reaches the shared audit trail, not only the log.
 */
export async function createKeysContext(
  env: Env,
  logDestination: DestinationStream,
): Promise<INestApplicationContext> {
  const context = await NestFactory.createApplicationContext(
    KeysCliModule.forRoot(env, logDestination),
    // Nest's own start-up chatter would bury the output; warnings and errors still show.
    { logger: ['error', 'warn'], abortOnError: false },
  );
  if (env.store.driver.kind === 'redis') {
    await context.get(RedisConnection).waitUntilReady(5000);
  }
  return context;
}
