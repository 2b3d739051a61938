import { FastifyInstance } from 'fastify';
import pino, { DestinationStream, Logger } from 'pino';
import { Env } from '../../config/env.validation';
import { currentRequestId } from '../request-context/request-context';
import { logLevel, REDACTED_PATHS } from './log-policy';
import { prettyStdout } from './pretty-stdout';

/**
 * pino's `isoTime` (`,"time":"<ISO 8601>"`), formatted once per millisecond: under load many
 * lines fall in the same one, and `toISOString` was ~1.4 % of an authenticated request's CPU.
 */
export function isoTimeOncePerMs(now: () => number = Date.now): () => string {
  let last = Number.NaN;
  let field = '';
  return () => {
    const ms = now();
    if (ms !== last) {
      last = ms;
      field = `,"time":"${new Date(ms).toISOString()}"`;
    }
    return field;
  };
}

/** A fresh object each time: pino merges the log call's fields into it. */
function requestIdOfCurrentRequest(): object {
  const reqId = currentRequestId();
  return reqId === undefined ? {} : { reqId };
}

/**
 * The one pino logger of a Tessera process. Fastify gets it as its native logger, Nest's own logs
 * go through NestPinoLogger, and services take children of it (RootLogger). Every line written
 * while a request runs carries its `reqId`: pino's `mixin` reads it from the request context
 * (one AsyncLocalStorage lookup per log line, no logger per request).
 */
export function createAppLogger(app: Env['app'], destination?: DestinationStream): Logger {
  const options = {
    level: logLevel(app.nodeEnv, destination !== undefined, app.logLevel),
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: isoTimeOncePerMs(),
    formatters: { level: (label: string) => ({ level: label }) },
    mixin: requestIdOfCurrentRequest,
  };
  return pino(options, destination ?? stdout(app));
}

/** How standard output is written: decided once, when the logger is made. */
export type StdoutMode = 'batched' | 'pretty' | 'lines';

/**
 * `batched` in production: 4 KiB writes, as one write(2) per log line was ~7 % of an
 * authenticated request's CPU (pino flushes the batch on exit). `pretty` for a person at a
 * terminal in development (LOG_PRETTY, see logPretty). Else `lines`: each JSON line written at
 * once, so a developer or a log collector sees it as it happens.
 */
export function stdoutMode(app: Env['app'], isTTY: boolean): StdoutMode {
  if (app.nodeEnv === 'production') return 'batched';
  return app.logPretty && isTTY ? 'pretty' : 'lines';
}

/**
 * Lines written in batches of at least 4 KiB (`dest`: a file descriptor or path), as UTF-8
 * buffers. sonic-boom's default string mode appends each line to the pending string and then
 * measures that string's UTF-8 length, which flattens (copies) the whole pending batch on every
 * line. In buffer mode a line is encoded once and a batch joined once per write(2): a request
 * line costs ~2.8 µs instead of ~4.1 (bench/README.md). pino writes strings: each is encoded here.
 * Still flushed on exit by pino, and still dropped on EPIPE (pino replaces `write` then).
 */
export function batchedDestination(dest: number | string): DestinationStream {
  const stream = pino.destination({ dest, sync: false, minLength: 4096, contentMode: 'buffer' });
  const writeBuffer = stream.write.bind(stream) as unknown as (line: Buffer) => boolean;
  stream.write = (line: string) => writeBuffer(Buffer.from(line));
  return stream;
}

function stdout(app: Env['app']): DestinationStream {
  const lines = () => pino.destination({ dest: 1, sync: true });
  switch (stdoutMode(app, process.stdout.isTTY === true)) {
    case 'batched':
      return batchedDestination(1);
    case 'pretty':
      // Without pino-pretty installed (`npm install` brings it), the JSON lines.
      return prettyStdout() ?? lines();
    case 'lines':
      return lines();
  }
}

/** Routes polled by machines (health checks, Prometheus), logged at debug. */
const PROBE_ROUTES: ReadonlySet<string> = new Set(['/health/live', '/health/ready', '/metrics']);

type RequestLineLevel = 'info' | 'debug' | 'error';

/** What a request line says: no field of it can hold a secret. */
export interface RequestLine {
  reqId: string;
  method: string;
  /** Without its query string. */
  path: string;
  status: number;
  /** Milliseconds, one decimal. */
  responseTime: number;
}

/**
 * Writes request lines to `logger`'s destination exactly as `logger[level](fields, 'request
 * completed')` would (same level label, time, bindings, field order), without pino's generic
 * path: its mixin, the merge of the mixin's object with the call's, its serialiser walk over the
 * nested objects. Those were ~10 % of the CPU of an authenticated request (bench/README.md); a
 * template with the four values escaped by JSON.stringify is a fraction of it. The level is
 * checked on every call, so a logger's level changed at run time still applies.
 */
export function requestLineWriter(
  logger: Logger,
): (level: RequestLineLevel, line: RequestLine) => void {
  const { streamSym, chindingsSym, timeSym, formattersSym, messageKeySym } = pino.symbols;
  const internals = logger as unknown as Record<symbol, unknown>;
  const stream = internals[streamSym] as DestinationStream;
  const bindings = internals[chindingsSym] as string;
  const time = internals[timeSym] as () => string;
  const formatLevel = (internals[formattersSym] as { level: (label: string, n: number) => object })
    .level;
  // `{"level":"info"` (or however the logger's level formatter writes it), made once per level.
  const opening = (label: RequestLineLevel) =>
    `{${JSON.stringify(formatLevel(label, logger.levels.values[label])).slice(1, -1)}`;
  const openings = { info: opening('info'), debug: opening('debug'), error: opening('error') };
  const message = `,${JSON.stringify(internals[messageKeySym])}:"request completed"}\n`;
  return (level, line) => {
    if (!logger.isLevelEnabled(level)) return;
    stream.write(
      `${openings[level]}${time()}${bindings},"reqId":${JSON.stringify(line.reqId)},"req":{"method":${JSON.stringify(line.method)},"url":${JSON.stringify(line.path)}},"res":{"statusCode":${line.status}},"responseTime":${line.responseTime}${message}`,
    );
  };
}

/**
 * One line per finished request, at error for 5xx; with `all` false (LOG_REQUESTS=false) only the
 * 5xx ones, for a platform whose proxy already writes an access log. The path is logged without
 * its query string:
 * `GET /ws?ticket=…` carries a token. No headers: they hold bearer tokens and cookies.
 *
 * The line is built from fields that can hold no secret (method, path, status, time, the request
 * id), so it skips the redaction pass (pino's wildcard redaction walked every request line and
 * cost ~9 % of the CPU of an authenticated request) and pino's serialiser (requestLineWriter).
 * Every other log call keeps both.
 */
export function logCompletedRequests(fastify: FastifyInstance, all = true): void {
  const write = requestLineWriter(fastify.log as Logger);
  fastify.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    if (!all && status < 500) {
      done();
      return;
    }
    // Probes come every few seconds from the orchestrator and the scraper: debug, not info, so
    // they never drown the requests people make. One Set lookup of the matched route.
    const level =
      status >= 500 ? 'error' : PROBE_ROUTES.has(request.routeOptions.url ?? '') ? 'debug' : 'info';
    const url = request.url;
    const query = url.indexOf('?');
    write(level, {
      reqId: request.id,
      method: request.method,
      path: query === -1 ? url : url.slice(0, query),
      status,
      responseTime: Math.round(reply.elapsedTime * 10) / 10,
    });
    done();
  });
}
