import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { EnvError } from './config/env.parsers';
import { readEnvironment } from './config/environment';

async function main(): Promise<void> {
  const env = readEnvironment();
  const app = await createApp(env);
  await app.listen({ port: env.app.port, host: env.app.host });
  const logger = new Logger('Tessera');
  if (env.store.driver.kind === 'memory') {
    logger.warn(
      'REDIS_URL is unset: using the embedded in-memory store (one process, lost on restart)',
    );
  }
  logger.log(`Listening on ${env.app.host}:${env.app.port}; Swagger UI at /docs`);
}

main().catch((error: unknown) => {
  // A configuration problem is one line naming the variable, never a stack trace.
  if (error instanceof EnvError) {
    console.error(`Invalid configuration: ${error.message}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
