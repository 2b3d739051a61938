import Fastify, { FastifyInstance } from 'fastify';
import { currentRequestId, installRequestContext } from '../request-context/request-context';
import { coalesceResponseWrites, replyCommitted, writtenPromise } from './coalesced-writes';

/** A Fastify instance whose routes record when their handler ran and when their answer left. */
async function appWithLog(coalesce: boolean) {
  const fastify = Fastify();
  const events: string[] = [];
  if (coalesce) coalesceResponseWrites(fastify);
  fastify.addHook('onResponse', (request, _reply, done) => {
    events.push(`${request.url} sent`);
    done();
  });
  fastify.get('/:name', (request, reply) => {
    events.push(`${request.url} handled`);
    void reply.send({ ok: true });
    // Fastify has run the onSend hooks by now: without the batch, the answer is already written.
    events.push(`${request.url} written at once: ${reply.raw.headersSent}`);
  });
  await fastify.ready();
  return { fastify, events };
}

/** The requests of one turn, with their answers. */
async function sameTurn(fastify: FastifyInstance, urls: string[]) {
  const responses = await Promise.all(urls.map((url) => fastify.inject({ url })));
  return responses.map((r) => [r.statusCode, r.json()]);
}

describe('coalesceResponseWrites', () => {
  it('writes the answers of one turn after all of its handlers ran, each unchanged', async () => {
    const { fastify, events } = await appWithLog(true);
    expect(await sameTurn(fastify, ['/a', '/b'])).toEqual([
      [200, { ok: true }],
      [200, { ok: true }],
    ]);
    expect(events).toEqual([
      '/a handled',
      '/a written at once: false',
      '/b handled',
      '/b written at once: false',
      '/a sent',
      '/b sent',
    ]);
    await fastify.close();
  });

  it('is what makes the difference: without it each answer is written as its handler ends', async () => {
    const { fastify, events } = await appWithLog(false);
    await sameTurn(fastify, ['/a', '/b']);
    expect(events.filter((e) => e.includes('written at once'))).toEqual([
      '/a written at once: true',
      '/b written at once: true',
    ]);
    await fastify.close();
  });

  it('answers a request of a later turn too (a new batch)', async () => {
    const { fastify, events } = await appWithLog(true);
    await sameTurn(fastify, ['/a']);
    await sameTurn(fastify, ['/b']);
    expect(events.filter((e) => e.endsWith('sent'))).toEqual(['/a sent', '/b sent']);
    await fastify.close();
  });

  it('runs the hooks after it in the context of their own request, not the first of the batch', async () => {
    const fastify = Fastify();
    installRequestContext(fastify);
    coalesceResponseWrites(fastify);
    const seen: string[] = [];
    const record = (request: { id: string; url: string }) =>
      seen.push(`${request.url}: ${currentRequestId() === request.id ? 'own' : 'other'}`);
    fastify.addHook('onSend', (request, _reply, _payload, done) => {
      record(request);
      done();
    });
    fastify.addHook('onResponse', (request, _reply, done) => {
      record(request);
      done();
    });
    fastify.get('/:name', () => ({ ok: true }));
    await fastify.ready();
    await sameTurn(fastify, ['/a', '/b', '/c']);
    expect(seen.sort()).toEqual(['/a: own', '/a: own', '/b: own', '/b: own', '/c: own', '/c: own']);
    await fastify.close();
  });

  it("sends an async handler's reply once when it returns the reply, as Fastify asks", async () => {
    const fastify = Fastify();
    coalesceResponseWrites(fastify);
    const errors: unknown[] = [];
    fastify.addHook('onError', (_request, _reply, error, done) => {
      errors.push(error);
      done();
    });
    fastify.get('/', async (_request, reply) => {
      await Promise.resolve();
      return reply.send({ once: true });
    });
    await fastify.ready();
    const response = await fastify.inject({ url: '/' });
    expect([response.statusCode, response.json()]).toEqual([200, { once: true }]);
    expect(errors).toEqual([]);
    await fastify.close();
  });

  it('tells a reply waiting for the end of its turn from one that may still be answered', async () => {
    const fastify = Fastify();
    coalesceResponseWrites(fastify);
    const states: boolean[][] = [];
    fastify.get('/', (_request, reply) => {
      states.push([replyCommitted(reply), reply.sent]);
      void reply.send({ ok: true });
      states.push([replyCommitted(reply), reply.sent]);
    });
    await fastify.ready();
    expect((await fastify.inject({ url: '/' })).statusCode).toBe(200);
    // Before send: neither; after: committed, though Fastify's `sent` waits for the write.
    expect(states).toEqual([
      [false, false],
      [true, false],
    ]);
    await fastify.close();
  });

  it('offers a promise of the write only for the reply just batched, settled once it is written', async () => {
    const fastify = Fastify();
    coalesceResponseWrites(fastify);
    const seen: string[] = [];
    fastify.get('/', (_request, reply) => {
      seen.push(`before send: ${writtenPromise(reply) === undefined ? 'none' : 'a promise'}`);
      void reply.send({ ok: true });
      void writtenPromise(reply)?.then(() => seen.push(`settled, sent: ${reply.sent}`));
      // One waiter per write: a second ask gets nothing.
      seen.push(`asked again: ${writtenPromise(reply) === undefined ? 'none' : 'a promise'}`);
    });
    await fastify.ready();
    expect((await fastify.inject({ url: '/' })).statusCode).toBe(200);
    expect(seen).toEqual(['before send: none', 'asked again: none', 'settled, sent: true']);
    await fastify.close();
  });

  it('sends the rest of a batch when one send throws, and logs it on its request', () => {
    let hook!: (...args: unknown[]) => void;
    const fastify = {
      addHook: (_name: string, fn: typeof hook) => (hook = fn),
    } as unknown as FastifyInstance;
    coalesceResponseWrites(fastify);
    const replyOf = (id: string) => ({ request: { id }, log: { error: jest.fn() } });
    const [a, b] = [replyOf('a'), replyOf('b')];
    const sent: string[] = [];
    hook({}, a, 'a', () => {
      throw new Error('socket gone');
    });
    hook({}, b, 'b', () => sent.push('b'));
    expect(sent).toEqual([]);
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        expect(sent).toEqual(['b']);
        expect(a.log.error).toHaveBeenCalledWith(
          { err: expect.objectContaining({ message: 'socket gone' }) },
          'writing a response failed',
        );
        expect(b.log.error).not.toHaveBeenCalled();
        resolve();
      }),
    );
  });
});
