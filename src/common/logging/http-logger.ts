import { RequestMethod } from '@nestjs/common';
import { FastifyInstance } from 'fastify';
import { Params } from 'nestjs-pino';
import pino, { DestinationStream, Logger } from 'pino';
import { Env } from '../../config/env.validation';
import { logLevel, REDACTED_PATHS } from './log-policy';

/**
 * The one pino logger of a Tessera process. In the HTTP app Fastify gets it as its native logger (so each request has
 * a cheap child with its `reqId`), and nestjs-pino reuses it (`useExisting`), so Nest's own logs
 * and the audit lines carry the request id too. Running pino-http as Nest middleware instead cost
 * half the throughput of a bare route here (measured with wrk: 9.8k vs 19k req/s).
 */
export function createAppLogger(app: Env['app'], destination?: DestinationStream): Logger {
  const options = {
    level: logLevel(app.nodeEnv, destination !== undefined),
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return pino(options, destination ?? stdout(app.nodeEnv));
}

/**
 * Standard output, written in 4 KiB batches in production: one write(2) per log line was ~7 % of
 * an authenticated request's CPU. pino flushes the batch on exit; elsewhere each line is written
 * at once, so a developer sees it as it happens.
 */
function stdout(nodeEnv: Env['app']['nodeEnv']): DestinationStream {
  return nodeEnv === 'production'
    ? pino.destination({ dest: 1, sync: false, minLength: 4096 })
    : pino.destination({ dest: 1, sync: true });
}

/** nestjs-pino on top of Fastify's request loggers: it only binds `request.log` per request. */
export function nestLoggerParams(logger: Logger): Params {
  return {
    pinoHttp: { logger },
    useExisting: true,
    // nestjs-pino 5.2.1's default route, `{/*splat}`, matches nothing under NestJS 12.5 with
    // Fastify; the explicit wildcard does.
    forRoutes: [{ path: '/{*splat}', method: RequestMethod.ALL }],
  };
}

/**
 * One line per finished request, at error for 5xx. The path is logged without its query string:
 * `GET /ws?ticket=…` carries a token. No headers: they hold bearer tokens and cookies.
 *
 * The line is built here from fields that can hold no secret (method, path, status, time, the
 * request id), so it goes through a child logger without the redaction pass: pino's wildcard
 * redaction walked every request line and cost ~9 % of the CPU of an authenticated request
 * (bench/README.md). Every other log call keeps the redaction.
 */
export function logCompletedRequests(fastify: FastifyInstance): void {
  const lines = fastify.log.child({}, { redact: [] });
  fastify.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    const line = {
      reqId: request.id,
      req: { method: request.method, url: request.url.split('?')[0] },
      res: { statusCode: status },
      responseTime: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (status >= 500) lines.error(line, 'request completed');
    else lines.info(line, 'request completed');
    done();
  });
}
