import { EventEmitter } from 'node:events';
import { IncomingMessage } from 'node:http';
import { Duplex } from 'node:stream';

/** An answer Node's HTTP server writes (a ServerResponse), as far as these helpers use it. */
type Answer = EventEmitter & { writableFinished: boolean; req?: IncomingMessage };

/** Node's HTTP server keeps the response it is writing on a connection as `_httpMessage`. */
export type HttpConnection<A extends Answer = Answer> = Duplex & { _httpMessage?: A | null };

/**
 * Runs `then` once, when `answer` is written or is gone unwritten (its client went away: an answer
 * that never finishes must not hold what waits for it).
 */
export function whenAnswered(answer: EventEmitter, then: () => void): void {
  const answered = () => {
    answer.off('finish', answered);
    answer.off('close', answered);
    then();
  };
  answer.once('finish', answered);
  answer.once('close', answered);
}

/**
 * Calls `then` once the answers to the requests read before this moment on `socket` have been
 * written: at once when none is in flight, else after the last of them finished (Node hands the
 * connection to the next pipelined response when one finishes, so each is waited for in turn).
 * Never, if the connection is destroyed meanwhile.
 *
 * `unfinished` is a request whose own answer is not waited for: one whose body the parser has just
 * refused (its answer could only come once the body is whole, which it never will be).
 *
 * For what writes on the raw connection itself: the parser's error answers (client-errors.ts)
 * and the `101 Switching Protocols` of a WebSocket upgrade (ordered-ws.adapter.ts). A pipelined
 * request read before them may still be answering: its handler waits for the store, or its reply
 * waits for the end of the turn (coalesced-writes.ts). Written first, their bytes would take its
 * place: the client would read a 400 as the answer to its good request, or that answer would
 * arrive inside the WebSocket stream.
 */
export function afterAnswersInFlight(
  socket: Duplex,
  then: () => void,
  unfinished?: IncomingMessage,
): void {
  // Gone: nothing more can be written on it.
  if (socket.destroyed) return;
  const inFlight = (socket as HttpConnection)._httpMessage;
  if (!inFlight || inFlight.writableFinished || (unfinished && inFlight.req === unfinished)) {
    then();
    return;
  }
  whenAnswered(inFlight, () => afterAnswersInFlight(socket, then, unfinished));
}
