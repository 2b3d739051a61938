import fastifyCookie from '@fastify/cookie';
import { NestFactory } from '@nestjs/core';
import { FastifyBaseLogger, LogController } from 'fastify';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import { ProblemDetailsFilter } from './common/filters/problem-details.filter';
import { registerBodyRules } from './common/http/body-rules';
import { clientErrorHandler } from './common/http/client-errors';
import { coalesceResponseWrites } from './common/http/coalesced-writes';
import { corsOptions } from './common/http/cors';
import { frameworkErrors } from './common/http/framework-errors';
import { jsonBodyParser } from './common/http/json-body';
import { answerHalfClosedClients } from './common/http/half-close';
import { orderPipelinedRequests } from './common/http/pipelined-order';
import { registerSecurityHeaders } from './common/http/security-headers';
import { trustProxyOption } from './common/http/trust-proxy';
import { WrittenReplyAdapter } from './common/http/written-reply.adapter';
import { setupSwagger } from './common/openapi/swagger';
import { createAppLogger, logCompletedRequests } from './common/logging/http-logger';
import { NestPinoLogger } from './common/logging/root-logger';
import { installRequestContext } from './common/request-context/request-context';
import { validationPipe } from './common/validation.pipe';
import { registerLivenessRoute } from './health/liveness.route';
import { MetricsService } from './metrics/metrics.service';
import { recordRequestMetrics } from './metrics/request-metrics';
import { OrderedWsAdapter } from './ws/ordered-ws.adapter';
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
  options: { logger?: false; logDestination?: DestinationStream } = {},
): Promise<NestFastifyApplication> {
  const logger = createAppLogger(env.app, options.logDestination);
  const adapter = new WrittenReplyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // Only behind a trusted proxy may X-Forwarded-For name the client (brute-force counters).
    trustProxy: trustProxyOption(env.app.trustProxy),
    genReqId: () => randomUUID(),
    frameworkErrors,
    clientErrorHandler,
    loggerInstance: logger,
    // No child logger per request: the logger's mixin adds the request id to every line written
    // while a request runs (http-logger.ts), which is what the child was for.
    childLoggerFactory: (root: FastifyBaseLogger) => root,
    // One line per request from logCompletedRequests, not Fastify's two with all headers.
    logController: new LogController({ disableRequestLogging: true }),
  });
  answerHalfClosedClients(adapter.getInstance().server);
  logCompletedRequests(adapter.getInstance(), env.app.logRequests);
  // First of our onRequest hooks: a request that must wait for the ones before it starts nothing.
  orderPipelinedRequests(adapter.getInstance());
  installRequestContext(adapter.getInstance());
  // Before Nest's routes: the liveness probe does not go through Nest's router.
  registerLivenessRoute(adapter.getInstance());
  const module = AppModule.forRoot(env, { logger });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    abortOnError: false,
    // Start-up logs wait for the pino logger, so every line is JSON.
    ...(options.logger === false ? { logger: false } : { bufferLogs: true }),
  });
  if (options.logger !== false) app.useLogger(new NestPinoLogger(logger));
  // Before the lifecycle hooks, so start-up work that needs the store (the bootstrap admin) finds
  // the connection ready. Fail closed but start: without Redis this gives up after 5 s, the
  // service answers 503 until Redis comes back, and that work is retried in the background.
  if (env.store.driver.kind === 'redis') await app.get(RedisConnection).waitUntilReady(5000);
  await app.register(fastifyCookie);
  registerSecurityHeaders(app.getHttpAdapter().getInstance());
  registerBodyRules(app.getHttpAdapter().getInstance());
  app.useBodyParser(
    'application/json',
    { bodyLimit: BODY_LIMIT_BYTES },
    jsonBodyParser(app.getHttpAdapter().getInstance()),
  );
  recordRequestMetrics(app.getHttpAdapter().getInstance(), app.get(MetricsService));
  coalesceResponseWrites(app.getHttpAdapter().getInstance());
  app.useGlobalPipes(validationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  if (env.app.corsOrigins.length > 0) {
    app.enableCors(corsOptions(env.app.corsOrigins));
  }
  // On SIGTERM/SIGINT: the lifecycle hooks, then process.exit(0) rather than Nest's default of
  // raising the signal again, which ends the process without an 'exit' event: pino then never
  // wrote its last batch, and a production instance lost up to 4 KiB of log lines at every stop
  // (all of them, for one stopped soon after start).
  app.enableShutdownHooks([], { useProcessExit: true });
  // DOCS_ENABLED=false: no document is built (it holds every route's schema) and /docs 404s.
  if (env.app.docsEnabled) setupSwagger(app);
  // The WebSocket gateway (/ws) shares the HTTP server and port: `ws` takes the upgrade requests.
  app.useWebSocketAdapter(new OrderedWsAdapter(app));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
