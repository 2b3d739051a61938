import type { DestinationStream } from 'pino';
import type { MessageFormatFunc, PrettyOptions } from 'pino-pretty';

type PinoPretty = typeof import('pino-pretty');

/** The fields of a request line (logCompletedRequests) and of Nest's own lines, as logged. */
interface LoggedLine {
  msg?: string;
  context?: unknown;
  req?: { method?: string; url?: string };
  res?: { statusCode?: number };
  responseTime?: number;
}

/** `GET /auth/me 200 3.1 ms` for a request line, `[Context] message` for the rest. */
const messageFormat: MessageFormatFunc = (log) => {
  const line = log as LoggedLine;
  if (line.req && line.res) {
    return `${line.req.method} ${line.req.url} ${line.res.statusCode} ${line.responseTime} ms`;
  }
  const msg = line.msg ?? '';
  return typeof line.context === 'string' ? `[${line.context}] ${msg}` : msg;
};

/**
 * One short line per event for a person at a terminal: the time, the level, the message; the
 * fields the message already shows (and pid, hostname, request ids) are left out. Anything else a
 * line carries (an audit event, a user id) follows on the same line; an `err`'s stack below it.
 */
export const PRETTY_OPTIONS: PrettyOptions = {
  colorize: true,
  translateTime: 'SYS:HH:MM:ss.l',
  ignore: 'pid,hostname,context,reqId,req,res,responseTime',
  // An audit event's fields on its own line, not 14 lines of indented JSON (errors stay multi-line).
  singleLine: true,
  messageFormat,
};

/**
 * Standard output through pino-pretty, or null when it is not installed (it is a devDependency:
 * `npm install` brings it, the production image does not have it). The prettifier runs in this
 * process and writes each line at once, so nothing is lost when the process dies; it is only
 * ever chosen in development, where a few microseconds a line do not matter.
 */
export function prettyStdout(options: PrettyOptions = PRETTY_OPTIONS): DestinationStream | null {
  let pinoPretty: PinoPretty;
  try {
    // Loaded here, not imported: a missing devDependency must not stop the service.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    pinoPretty = require('pino-pretty') as PinoPretty;
  } catch {
    return null;
  }
  const format = pinoPretty.prettyFactory(options);
  return { write: (line: string) => process.stdout.write(format(line)) };
}
