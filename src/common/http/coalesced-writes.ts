import { FastifyInstance, FastifyReply } from 'fastify';
import { runInRequest } from '../request-context/request-context';

type Send = () => void;

/**
 * The replies of this turn waiting to be written, each followed by the callback that writes it
 * (one array for the process: the turn is the process's, whatever Fastify instance answers).
 */
let batch: (FastifyReply | Send)[] = [];

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
  for (let i = 0; i < ready.length; i += 2) {
    const reply = ready[i] as FastifyReply;
    try {
      runInRequest(reply.request, ready[i + 1] as Send);
    } catch (error) {
      // Never leave the rest of the batch unanswered because one write threw.
      reply.log.error({ err: error }, 'writing a response failed');
    }
  }
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
    batch.push(reply, done);
  });
}
