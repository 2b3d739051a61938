import { StreamableFile } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { FastifyReply } from 'fastify';
import { coalesceResponseWrites } from './coalesced-writes';
import { WrittenReplyAdapter } from './written-reply.adapter';

/**
 * What Nest does with `reply()`'s value, as a route handler: awaits it, then returns. Records what
 * it got, whether awaiting it put listeners on the response, and whether the reply was sent when
 * the wait ended (Fastify answers a second time if not).
 */
async function replyAsNestDoes(adapter: FastifyAdapter, body: unknown) {
  const fastify = adapter.getInstance();
  coalesceResponseWrites(fastify);
  const seen: Record<string, unknown> = {};
  fastify.get('/', async (_request, reply: FastifyReply) => {
    const before = reply.raw.listenerCount('finish');
    const value = adapter.reply(reply, body, 200) as unknown as PromiseLike<void>;
    // As `await` does: then() on the value (Fastify's reply starts its watch there).
    const waiting = new Promise<void>((resolve, reject) => {
      void value.then(resolve, reject);
    });
    seen.value =
      (value as unknown) === reply ? 'the reply' : value instanceof Promise ? 'a promise' : value;
    seen.finishListeners = reply.raw.listenerCount('finish') - before;
    seen.sentBeforeTheWrite = reply.sent;
    await waiting;
    seen.sentWhenSettled = reply.sent;
  });
  await fastify.ready();
  const response = await fastify.inject({ url: '/' });
  await fastify.close();
  return { seen, status: response.statusCode, body: response.body };
}

describe('WrittenReplyAdapter', () => {
  it('gives Nest a promise of the write, settled once the answer is written, with no listener on the response', async () => {
    const { seen, status, body } = await replyAsNestDoes(new WrittenReplyAdapter(), { ok: true });
    expect(seen).toEqual({
      value: 'a promise',
      finishListeners: 0,
      sentBeforeTheWrite: false,
      sentWhenSettled: true,
    });
    expect([status, JSON.parse(body)]).toEqual([200, { ok: true }]);
  });

  it("is what makes the difference: Nest's adapter hands over Fastify's reply, whose wait listens on the response", async () => {
    const { seen, status } = await replyAsNestDoes(new FastifyAdapter(), { ok: true });
    expect(seen.value).toBe('the reply');
    expect(seen.finishListeners).toBeGreaterThan(0);
    expect(seen.sentWhenSettled).toBe(true);
    expect(status).toBe(200);
  });

  it("keeps Fastify's reply for a streamed answer", async () => {
    const file = new StreamableFile(Buffer.from('streamed'));
    const { seen, status, body } = await replyAsNestDoes(new WrittenReplyAdapter(), file);
    expect(seen.value).toBe('the reply');
    expect([status, body]).toEqual([200, 'streamed']);
  });
});
