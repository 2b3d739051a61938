import { Inject, LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';

/**
 * The process's one pino logger (createAppLogger), as a provider: inject it with
 * `@InjectRootLogger()` and take a `child({ context })`. Every line it writes during a request
 * carries that request's `reqId` (pino's `mixin`, from the request context), so nothing needs a
 * logger per request.
 */
export const RootLogger = Symbol('RootLogger');
export const InjectRootLogger = () => Inject(RootLogger);

/**
 * Nest's own log calls (`new Logger('Ctx').warn(...)`, start-up lines) written by pino, as JSON
 * lines with `context`. Replaces nestjs-pino, whose per-request middleware (pino-http, a second
 * AsyncLocalStorage, Fastify middie) cost more than the rest of a public request (bench/README.md).
 */
/**
 * Nest's start-up chatter: a line per module and per route (~60 lines) that says nothing a person
 * acts on. Logged at debug, so the first screen after `npm start` shows what matters.
 */
const FRAMEWORK_CHATTER: ReadonlySet<string> = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'WebSocketsController',
]);

export class NestPinoLogger implements LoggerService {
  constructor(private readonly pino: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  /**
   * Nest passes `(message, context)`, or `(message, stack, context)` for errors; the last string
   * is the context. An Error is logged as `err` (with pino's serializer and the redaction).
   */
  private write(
    level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal',
    message: unknown,
    rest: unknown[],
  ): void {
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    if (level === 'info' && context !== undefined && FRAMEWORK_CHATTER.has(context))
      level = 'debug';
    const stack = typeof rest[0] === 'string' ? rest[0] : undefined;
    if (message instanceof Error) this.pino[level]({ context, err: message }, message.message);
    else if (typeof message === 'object' && message !== null)
      this.pino[level]({ context, ...message });
    else this.pino[level]({ context, ...(stack ? { stack } : {}) }, String(message));
  }
}
