import fastifyCookie from '@fastify/cookie';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { AppModule } from './app.module';
import { ProblemDetailsFilter } from './common/filters/problem-details.filter';
import { setupSwagger } from './common/openapi/swagger';
import { validationPipe } from './common/validation.pipe';
import { Env } from './config/env.validation';
import { RedisConnection } from './redis/redis.connection';

/** Request bodies above this are refused with 413 before parsing. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Builds the whole application (not listening yet): Fastify, cookies, the global pipe and error
 * filter, Swagger. main.ts and every e2e test start the app through here, so they run the same.
 */
export async function createApp(
  env: Env,
  options: { logger?: false } = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // Only behind a trusted proxy may X-Forwarded-For name the client (brute-force counters).
    trustProxy: env.app.trustProxy,
    genReqId: () => randomUUID(),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(env), adapter, {
    abortOnError: false,
    ...(options.logger === false ? { logger: false } : {}),
  });
  await app.register(fastifyCookie);
  app.useGlobalPipes(validationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  if (env.app.corsOrigins.length > 0) {
    app.enableCors({
      origin: env.app.corsOrigins,
      credentials: true,
      exposedHeaders: ['Retry-After', 'WWW-Authenticate'],
    });
  }
  app.enableShutdownHooks();
  setupSwagger(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  // Fail closed but start: without Redis the service answers 503 until it comes back.
  if (env.store.driver.kind === 'redis') await app.get(RedisConnection).waitUntilReady(5000);
  return app;
}
