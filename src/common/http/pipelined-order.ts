import { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { ServerResponse } from 'node:http';
import { Socket } from 'node:net';

/** RFC 9110 §9.2.1: the methods that change nothing on the server. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** The answer of the last unsafe request read on a connection, while it is not yet written. */
const UNSAFE_IN_FLIGHT = Symbol('tessera.unsafeAnswerInFlight');

/** Node's HTTP server keeps the answer it is writing on a connection as `_httpMessage`. */
type HttpConnection = Socket & {
  _httpMessage?: ServerResponse | null;
  [UNSAFE_IN_FLIGHT]?: ServerResponse;
};

/**
 * HTTP/1.1 pipelining, RFC 9112 §9.3.2: "A server MAY process a sequence of pipelined requests in
 * parallel if they all have safe methods". Node's server hands every request it reads to the
 * application at once, so a `GET /auth/me` pipelined behind a `POST /auth/logout` on the same
 * connection used to run beside the logout, and was answered 200 for a session already ended
 * (revocation must take effect on the next request).
 *
 * Here a request waits, before any other hook of its own runs, until every request read before it
 * on its connection is answered, when it is unsafe itself or an unsafe one is among them. Safe
 * requests behind safe ones still run side by side. The cost on the hot path is a property read
 * on the socket.
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
  const mustWait = unsafe || connection[UNSAFE_IN_FLIGHT] !== undefined;
  if (unsafe) markUnsafeInFlight(connection, answer);
  // Node's server writes one answer at a time on a connection and keeps the later ones queued:
  // when this one is not the one being written, some request before it is not answered yet.
  const writing = connection._httpMessage;
  if (!mustWait || !writing || writing === answer) {
    done();
    return;
  }
  // Node gives the connection to the next queued answer once the one before it has finished, and
  // tells it with 'socket'. Continued on the next tick: not inside Node's own bookkeeping of the
  // answer that just finished. A connection closed meanwhile never gets here: nobody would read
  // the answer, and an unsafe request after it is not run.
  answer.once('socket', () => process.nextTick(done));
}

function markUnsafeInFlight(connection: HttpConnection, answer: ServerResponse): void {
  connection[UNSAFE_IN_FLIGHT] = answer;
  const written = () => {
    answer.off('finish', written);
    answer.off('close', written);
    // A later unsafe request may have taken the mark; only this answer's own is cleared (set to
    // undefined, not deleted: a delete would turn every socket's properties into a dictionary).
    if (connection[UNSAFE_IN_FLIGHT] === answer) connection[UNSAFE_IN_FLIGHT] = undefined;
  };
  answer.once('finish', written);
  answer.once('close', written);
}
