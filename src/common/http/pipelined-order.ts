import { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { ServerResponse } from 'node:http';
import { Socket } from 'node:net';

/** RFC 9110 §9.2.1: the methods that change nothing on the server. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/**
 * How many requests pipelined behind the one being answered may run at once on one connection;
 * the ones after them wait, and run one at a time, each once the answers before it are written.
 */
export const MAX_PIPELINED_RUNNING = 16;

/**
 * How many requests may wait on one connection. A waiting request writes nothing, so Node's own
 * back-pressure (it stops reading while answers pile up unread) never sees them: without a bound a
 * client could pipeline requests faster than they run until the process ran out of heap. Past it
 * the connection is closed, as a client pipelining that deep is not waiting for its answers.
 */
export const MAX_PIPELINED_WAITING = 128;

/** The answer of the last unsafe request read on a connection, while it is not yet written. */
const UNSAFE_IN_FLIGHT = Symbol('tessera.unsafeAnswerInFlight');
/** How many requests read behind an unanswered one on a connection are not answered yet. */
const PIPELINED = Symbol('tessera.pipelinedInFlight');
/** How many of those wait for their turn. */
const WAITING = Symbol('tessera.pipelinedWaiting');

/** Node's HTTP server keeps the answer it is writing on a connection as `_httpMessage`. */
type HttpConnection = Socket & {
  _httpMessage?: ServerResponse | null;
  [UNSAFE_IN_FLIGHT]?: ServerResponse;
  [PIPELINED]?: number;
  [WAITING]?: number;
};

/**
 * HTTP/1.1 pipelining, RFC 9112 §9.3.2: "A server MAY process a sequence of pipelined requests in
 * parallel if they all have safe methods". Node's server hands every request it reads to the
 * application at once, so a `GET /auth/me` pipelined behind a `POST /auth/logout` on the same
 * connection used to run beside the logout, and was answered 200 for a session already ended
 * (revocation must take effect on the next request). And one read can hold hundreds of small
 * requests: a client pipelining them had them all run in the same turn, each with its token check
 * and store command, ahead of every other client.
 *
 * Here a request waits, before any other hook of its own runs, until every request read before it
 * on its connection is answered, when it is unsafe itself, when an unsafe one is among them, or
 * when more than MAX_PIPELINED_RUNNING are; more than MAX_PIPELINED_WAITING waiting close the
 * connection. Safe requests behind safe ones still run side by side up to that many. A request
 * with nothing before it (every client that does not pipeline) pays a property read on its socket.
 */
export function orderPipelinedRequests(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', inOrder);
}

function inOrder(
  request: FastifyRequest,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  const connection = request.raw.socket as HttpConnection | null;
  if (!connection) {
    done();
    return;
  }
  const answer = reply.raw;
  const unsafe = !SAFE_METHODS.has(request.method);
  const behindUnsafe = connection[UNSAFE_IN_FLIGHT] !== undefined;
  if (unsafe) markUnsafeInFlight(connection, answer);
  // Node's server writes one answer at a time on a connection and keeps the later ones queued:
  // when this one is not the one being written, some request before it is not answered yet.
  const writing = connection._httpMessage;
  if (!writing || writing === answer) {
    done();
    return;
  }
  const pipelined = countPipelined(connection, answer);
  if (!unsafe && !behindUnsafe && pipelined <= MAX_PIPELINED_RUNNING) {
    done();
    return;
  }
  const waiting = (connection[WAITING] ?? 0) + 1;
  if (waiting > MAX_PIPELINED_WAITING) {
    if (!connection.destroyed) {
      request.log.warn(
        { ip: connection.remoteAddress },
        `closed a connection with more than ${MAX_PIPELINED_WAITING} pipelined requests waiting`,
      );
      connection.destroy();
    }
    return;
  }
  connection[WAITING] = waiting;
  // Node gives the connection to the next queued answer once the one before it has finished, and
  // tells it with 'socket'. Continued on the next tick: not inside Node's own bookkeeping of the
  // answer that just finished. A connection closed meanwhile never gets here: nobody would read
  // the answer, and a request after it is not run.
  answer.once('socket', () => {
    connection[WAITING] = (connection[WAITING] ?? 1) - 1;
    process.nextTick(done);
  });
}

/** Runs `then` once, when `answer` is written or its connection is gone. */
function whenAnswered(answer: ServerResponse, then: () => void): void {
  const answered = () => {
    answer.off('finish', answered);
    answer.off('close', answered);
    then();
  };
  answer.once('finish', answered);
  answer.once('close', answered);
}

function markUnsafeInFlight(connection: HttpConnection, answer: ServerResponse): void {
  connection[UNSAFE_IN_FLIGHT] = answer;
  whenAnswered(answer, () => {
    // A later unsafe request may have taken the mark; only this answer's own is cleared (set to
    // undefined, not deleted: a delete would turn every socket's properties into a dictionary).
    if (connection[UNSAFE_IN_FLIGHT] === answer) connection[UNSAFE_IN_FLIGHT] = undefined;
  });
}

/** Counts `answer` among its connection's pipelined requests until it is written. */
function countPipelined(connection: HttpConnection, answer: ServerResponse): number {
  const count = (connection[PIPELINED] ?? 0) + 1;
  connection[PIPELINED] = count;
  whenAnswered(answer, () => {
    connection[PIPELINED] = (connection[PIPELINED] ?? 1) - 1;
  });
  return count;
}
