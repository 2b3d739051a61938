import { FastifyInstance } from 'fastify';

type Send = () => void;

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
 * it: tens of microseconds), and under light load one setImmediate hop. Nothing else changes:
 * the hook runs after every other onSend hook has set the headers and payload, the payload is
 * sent as they left it, and an aborted client is handled by Fastify as before.
 */
export function coalesceResponseWrites(fastify: FastifyInstance): void {
  let batch: Send[] = [];
  const flush = () => {
    const ready = batch;
    batch = [];
    for (const send of ready) {
      try {
        send();
      } catch (error) {
        // Never leave the rest of the batch unanswered because one write threw.
        fastify.log.error({ err: error }, 'writing a response failed');
      }
    }
  };
  fastify.addHook('onSend', (_request, _reply, _payload, done) => {
    if (batch.length === 0) setImmediate(flush);
    // done() with no payload keeps the one the earlier hooks produced.
    batch.push(done);
  });
}
