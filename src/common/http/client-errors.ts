import { IncomingMessage, STATUS_CODES } from 'node:http';
import { Duplex } from 'node:stream';
import { problemType } from '../errors/error-status';
import { afterAnswersInFlight } from './answers-in-flight';
import { API_SECURITY_HEADERS } from './security-headers';

/** The security headers every answer carries, as header lines (no request: no HSTS). */
const SECURITY_LINES = Object.entries(API_SECURITY_HEADERS)
  .map(([name, value]) => `${name}: ${value}\r\n`)
  .join('');

/** The connections already given their error answer (or waiting to be). */
const answered = new WeakSet<Duplex>();

/**
 * Fastify's `clientErrorHandler`: errors Node's HTTP parser raises before Fastify has a request
 * (headers over 16 KB, such as a 100 KB bearer token; a request timeout; garbage on the socket).
 * They get problem+json too, with `Connection: close`, as Node's own answer would, and the
 * security headers of every other answer.
 *
 * Written after the answers to the requests read before the bad one on this connection (HTTP/1.1
 * pipelining), never in their place; a connection one of them closes gets no error answer. When
 * the bad bytes are the body of a request already handed to the application, this answer is that
 * request's: it is not waited for.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed || answered.has(socket)) return;
  // One answer per connection: while it waits, more bytes can fail the parser again.
  answered.add(socket);
  const status = statusOf(error.code);
  const title = STATUS_CODES[status] ?? 'Bad Request';
  const body = JSON.stringify({
    type: problemType(title.toLowerCase().replace(/ /g, '_')),
    title,
    status,
    detail: DETAILS[status] ?? 'The request could not be parsed.',
  });
  const answer =
    `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\n` +
    `${SECURITY_LINES}Cache-Control: no-store\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
  afterAnswersInFlight(
    socket,
    () => {
      if (socket.writable) socket.end(answer);
      else socket.destroy();
    },
    requestWithRefusedBody(socket),
  );
}

/** Node's HTTP parser of a connection, and the request it is reading. */
type ParsedConnection = Duplex & { parser?: { incoming?: IncomingMessage | null } | null };

/**
 * The request whose body the parser was reading when it failed (bad chunked encoding, a request
 * timeout while the body trickles in), if any. That request is already in the application, waiting
 * for the rest of its body, which will never come: this error answer is its answer, and nothing
 * else will be read on the connection.
 */
function requestWithRefusedBody(socket: Duplex): IncomingMessage | undefined {
  const incoming = (socket as ParsedConnection).parser?.incoming;
  return incoming && !incoming.complete ? incoming : undefined;
}

const DETAILS: Record<number, string> = {
  408: 'The request took too long to arrive.',
  431: 'The request headers are too large (a token or cookie of this size is never valid).',
};

function statusOf(code: string | undefined): number {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  return 400;
}
