import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import {
  lowerThreadPoolPriority,
  THREAD_POOL_NICENESS,
} from './common/concurrency/thread-pool-priority';
import { configErrorLines } from './config/env.parsers';
import { readEnvironment } from './config/environment';

async function main(): Promise<void> {
  // First, before anything starts libuv's thread pool: its threads are the ones this lowers.
  const lowered = await lowerThreadPoolPriority();
  const env = readEnvironment();
  const app = await createApp(env);
  await app.listen({ port: env.app.port, host: env.app.host });
  const logger = new Logger('Tessera');
  if (env.store.driver.kind === 'memory') {
    logger.warn(
      'REDIS_URL is unset: using the embedded in-memory store (one process, lost on restart)',
    );
  }
  const docs = env.app.docsEnabled ? 'Swagger UI at /docs' : 'Swagger UI off (DOCS_ENABLED)';
  logger.log(`Listening on ${env.app.host}:${env.app.port}; ${docs}`);
  logger.debug(`${lowered} thread pool threads run at nice ${THREAD_POOL_NICENESS}`);
}

main().catch((error: unknown) => {
  // A configuration problem is one line per bad variable, naming it, never a stack trace.
  const lines = configErrorLines(error);
  if (lines) {
    for (const line of lines) console.error(`Invalid configuration: ${line}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
