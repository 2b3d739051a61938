import { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { HttpConnection, whenAnswered } from './answers-in-flight';

/** RFC 9110 §9.2.1: the methods that change nothing on the server. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/**
 * How many requests pipelined behind the one being answered may be in flight on one connection
 * before the later ones wait, each until the answers before it are written.
 */
export const MAX_PIPELINED_RUNNING = 16;

/**
 * How many requests may wait on one connection, and how many pipelined requests (behind the one
 * being answered on their connection) the whole process takes. A waiting request writes nothing,
 * so Node's own back-pressure (it stops reading while answers pile up unread) never sees it:
 * unbounded, clients pipelining faster than their requests run would fill the heap.
 */
export const MAX_PIPELINED_WAITING = 128;
export const MAX_PIPELINED_IN_PROCESS = 1024;

/**
 * How many requests a connection told to close may still bring (the rest of what was already read)
 * before it is destroyed, answers owed or not: each is built by Node and Fastify before any hook.
 */
export const MAX_REFUSED = 1024;

/** What a connection that has pipelined requests, or an unsafe one in flight, carries. */
interface Pipeline {
  /** The answer of the last unsafe request read, while it is not yet written. */
  unsafe: ServerResponse | undefined;
  /** The answer of the last request taken behind an unanswered one. */
  last: ServerResponse | undefined;
  /** Requests taken behind an unanswered one and not answered yet (counted in the process's). */
  inFlight: number;
  /** How many of those wait for their turn. */
  waiting: number;
  /** Past a bound: no request read from now on runs; the connection ends after the answers owed. */
  closing: boolean;
  /** Requests read after that. */
  refused: number;
}

const PIPELINE = Symbol('tessera.pipeline');

/** A connection of Node's HTTP server, with what this file keeps on it. */
type PipelinedConnection = Socket & HttpConnection<ServerResponse> & { [PIPELINE]?: Pipeline };

/** Node marks the answer after which it ends the connection (`Connection: close` sets it). */
type LastAnswer = ServerResponse & { _last?: boolean };

let pipelinedInProcess = 0;

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
 * when MAX_PIPELINED_RUNNING are already in flight behind the one being answered. Safe requests
 * behind safe ones still run side by side up to that many. Past MAX_PIPELINED_WAITING on the
 * connection or MAX_PIPELINED_IN_PROCESS in the process, the connection stops reading: the
 * requests already taken are answered, the last with `Connection: close`, and the ones read after
 * them never run (RFC 9112 §9.3.2: the client retries what was not answered); past MAX_REFUSED of
 * those it is destroyed. A request with
 * nothing before it (every client that does not pipeline) pays a property read on its socket.
 */
export function orderPipelinedRequests(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', inOrder);
}

function inOrder(
  request: FastifyRequest,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  const connection = request.raw.socket as PipelinedConnection | null;
  if (!connection) {
    done();
    return;
  }
  const pipeline = connection[PIPELINE];
  // Read after the connection was told to close: never run (Node frees it with the connection).
  if (pipeline?.closing) {
    pipeline.refused += 1;
    if (pipeline.refused > MAX_REFUSED) connection.destroy();
    return;
  }
  const answer = reply.raw;
  const unsafe = !SAFE_METHODS.has(request.method);
  // Node's server writes one answer at a time on a connection and keeps the later ones queued:
  // when this one is not the one being written, some request before it is not answered yet.
  const writing = connection._httpMessage;
  if (!writing || writing === answer) {
    if (unsafe) markUnsafe(pipelineOf(connection), answer);
    done();
    return;
  }
  const state = pipeline ?? pipelineOf(connection);
  const runsNow =
    !unsafe &&
    state.unsafe === undefined &&
    state.inFlight < MAX_PIPELINED_RUNNING &&
    pipelinedInProcess < MAX_PIPELINED_IN_PROCESS;
  if (
    !runsNow &&
    (state.waiting >= MAX_PIPELINED_WAITING || pipelinedInProcess >= MAX_PIPELINED_IN_PROCESS)
  ) {
    closeAfterAnswersOwed(connection, state, writing, request);
    return;
  }
  if (unsafe) markUnsafe(state, answer);
  take(state, answer);
  if (runsNow) {
    done();
    return;
  }
  state.waiting += 1;
  // Node gives the connection to the next queued answer once the one before it has finished, and
  // tells it with 'socket'. Continued on the next tick: not inside Node's own bookkeeping of the
  // answer that just finished. A connection closed meanwhile never gets here: nobody would read
  // the answer, and a request after it is not run.
  answer.once('socket', () => {
    state.waiting -= 1;
    process.nextTick(done);
  });
}

/** The connection's pipeline state, made on first need (one 'close' listener per connection). */
function pipelineOf(connection: PipelinedConnection): Pipeline {
  const existing = connection[PIPELINE];
  if (existing) return existing;
  const state: Pipeline = {
    unsafe: undefined,
    last: undefined,
    inFlight: 0,
    waiting: 0,
    closing: false,
    refused: 0,
  };
  connection[PIPELINE] = state;
  // Node does not always tell the queued answers of a connection that is gone: give back what
  // this connection still counts in the process's total.
  connection.once('close', () => {
    pipelinedInProcess -= state.inFlight;
    state.inFlight = 0;
  });
  return state;
}

function markUnsafe(state: Pipeline, answer: ServerResponse): void {
  state.unsafe = answer;
  whenAnswered(answer, () => {
    // A later unsafe request may have taken the mark; only this answer's own is cleared.
    if (state.unsafe === answer) state.unsafe = undefined;
  });
}

/** Counts `answer` among the connection's and the process's pipelined requests until written. */
function take(state: Pipeline, answer: ServerResponse): void {
  state.inFlight += 1;
  pipelinedInProcess += 1;
  state.last = answer;
  whenAnswered(answer, () => {
    // Zero once the connection is gone: its count was given back then.
    if (state.inFlight === 0) return;
    state.inFlight -= 1;
    pipelinedInProcess -= 1;
  });
}

/**
 * Stops reading `connection` and ends it after the answers it owes: the last of them goes out
 * with `Connection: close` (or, already being written, is the last Node writes).
 */
function closeAfterAnswersOwed(
  connection: PipelinedConnection,
  state: Pipeline,
  writing: ServerResponse,
  request: FastifyRequest,
): void {
  state.closing = true;
  // Node resumes a connection by itself, after each request it parses and as answers drain:
  // stopped again each time, so nothing more is read from it.
  connection.pause();
  connection.on('resume', () => connection.pause());
  const last: LastAnswer =
    state.last && !state.last.writableFinished && !state.last.destroyed ? state.last : writing;
  if (last.headersSent) last._last = true;
  else last.shouldKeepAlive = false;
  request.log.warn(
    { ip: connection.remoteAddress },
    'closing a connection after the answers it is owed: too many pipelined requests',
  );
}

/** The process's count of pipelined requests in flight (for tests). */
export function pipelinedRequestsInProcess(): number {
  return pipelinedInProcess;
}
