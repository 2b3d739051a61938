import { FastifyInstance, FastifyReply } from 'fastify';
import { runInRequest } from '../request-context/request-context';

type Send = () => void;

/**
 * The replies of this turn waiting to be written, each followed by the callback that writes it
 * and by what to call once it is written, if anyone waits for that (one array for the process:
 * the turn is the process's, whatever Fastify instance answers).
 */
let batch: (FastifyReply | Send | null)[] = [];

/**
 * Whether `reply` has been sent: written, or waiting to be at the end of its turn. Use it where
 * `reply.sent` was asked "may I still answer?": `reply.sent` is true only once written.
 */
export function replyCommitted(reply: FastifyReply): boolean {
  return reply.sent || batch.includes(reply);
}

function flush(): void {
  const ready = batch;
  batch = [];
  for (let i = 0; i < ready.length; i += 3) {
    const reply = ready[i] as FastifyReply;
    try {
      runInRequest(reply.request, ready[i + 1] as Send);
    } catch (error) {
      // Never leave the rest of the batch unanswered because one write threw.
      reply.log.error({ err: error }, 'writing a response failed');
    }
    (ready[i + 2] as Send | null)?.();
  }
}

/**
 * A promise settled once `reply` is written, for a reply that `send()` has just put in this turn's
 * batch (the last one in it); undefined otherwise. It stands in for what Fastify's reply offers
 * as a thenable, which waits for the response's end with end-of-stream listeners on it (see
 * WrittenReplyAdapter).
 */
export function writtenPromise(reply: FastifyReply): Promise<void> | undefined {
  const last = batch.length - 3;
  if (last < 0 || batch[last] !== reply || batch[last + 2] !== null) return undefined;
  return new Promise((resolve) => {
    batch[last + 2] = resolve;
  });
}

/**
 * Writes the responses finished in one event-loop turn together, at the end of that turn (one
 * setImmediate for all of them), instead of each the moment its handler finishes.
 *
 * Why: a response is one write(2), and on loopback, or any client that waits in epoll, the write
 * also wakes the reader up. When the reader is asleep that wake-up (a cross-CPU interrupt, on a
 * VM an exit to the hypervisor) is most of the system call: `GET /health/live` spent ~80 % of its
 * CPU in that one write, twice what the same write costs a server whose responses come back to
 * back, because every response found the client asleep again. Written back to back, only the
 * first write of a batch wakes the client; the rest find it running (bench/README.md, "Changes").
 * It is the HTTP side of what the Redis client does with its commands (writesCoalescedPerTurn).
 *
 * What it costs: a response waits for the rest of its turn (the other requests already read in
 * it: tens of microseconds), and under light load one setImmediate hop. The payload and headers
 * are sent as the onSend hooks before this one left them, each request's remaining hooks run in
 * its own request context, and an aborted client is handled by Fastify as before.
 *
 * For whoever adds a route: as with any asynchronous onSend hook (Fastify's "Reply" docs), a reply
 * is not `sent` the moment `reply.send()` returns. An async handler that calls `reply.send()` must
 * `return reply` (or return the payload instead), as Fastify asks; Nest's controllers do. Code
 * that asks whether it may still answer asks `replyCommitted(reply)`, not `reply.sent`. What
 * writes on the raw connection waits for the answers in flight on it (answers-in-flight.ts).
 */
export function coalesceResponseWrites(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (_request, reply, _payload, done) => {
    if (batch.length === 0) setImmediate(flush);
    // done() with no payload keeps the one the earlier hooks produced.
    batch.push(reply, done, null);
  });
}
