import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import pino from 'pino';
import { configErrorLines } from '../config/env.parsers';
import { productionRequested, readEnvironment } from '../config/environment';
import { RedisConnection } from '../redis/redis.connection';
import { UsersService } from '../users/users.service';
import { SeedCliModule } from './seed-cli.module';
import { runSeed, SEED_IN_PRODUCTION, seedRefusal } from './seed.command';

/**
 * `npm run seed`: a development admin and a plain user in the configured Redis (REDIS_URL or
 * Sentinel or Cluster, REDIS_KEY_PREFIX), their passwords printed once to stdout. Idempotent;
 * refuses production and the in-memory store. Log lines (the audit events) go to stderr as JSON.
 */
async function main(): Promise<number> {
  // Production first, even when the rest of its environment would not validate here.
  if (productionRequested()) return refuse(SEED_IN_PRODUCTION);
  const env = readEnvironment();
  const refusal = seedRefusal(env);
  if (refusal) return refuse(refusal);
  const context = await NestFactory.createApplicationContext(
    SeedCliModule.forRoot(env, pino.destination({ dest: 2, sync: true })),
    // Nest's own start-up chatter would bury the output; warnings and errors still show.
    { logger: ['error', 'warn'], abortOnError: false },
  );
  try {
    await context.get(RedisConnection).waitUntilReady(5000);
    return await runSeed(context.get(UsersService), (line) => console.log(line));
  } finally {
    await context.close();
  }
}

function refuse(why: string): number {
  console.error(why);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // A configuration problem or an unreachable store is one line, never a stack trace.
    const lines = configErrorLines(error);
    const message = error instanceof Error ? error.message : String(error);
    console.error(
      lines ? lines.map((line) => `Invalid configuration: ${line}`).join('\n') : message,
    );
    process.exit(1);
  },
);
