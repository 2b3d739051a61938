import Fastify, { FastifyInstance } from 'fastify';
import { setImmediate as nextTick } from 'node:timers/promises';
import { currentRequest, installRequestContext } from './request-context';

describe('request context', () => {
  let fastify: FastifyInstance;

  beforeAll(async () => {
    fastify = Fastify({ genReqId: () => 'req-1' });
    installRequestContext(fastify);
    fastify.post('/echo', async () => {
      await nextTick(); // the context must survive awaits inside the handler
      return { seen: currentRequest() ?? null };
    });
    fastify.get('/gone', async (request) => {
      // The client resets the connection while its request runs (an early RST: a scanner that
      // does not wait for answers); what the audit trail records must still name it.
      request.raw.socket.destroy();
      await nextTick();
      seenAfterReset = currentRequest()?.ip;
      return {};
    });
    await fastify.listen({ port: 0, host: '127.0.0.1' });
  });
  let seenAfterReset: string | undefined;
  afterAll(() => fastify.close());

  it('knows the request id and client ip inside a handler, after the body was read', async () => {
    // A real socket and a body in many chunks: it arrives after the onRequest hooks have run.
    const { port } = fastify.server.address() as { port: number };
    const response = await fetch(`http://127.0.0.1:${port}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ big: 'x'.repeat(1_000_000) }),
    });
    expect(await response.json()).toEqual({ seen: { requestId: 'req-1', ip: '127.0.0.1' } });
  });

  it('still knows the client ip after the client reset the connection', async () => {
    const { port } = fastify.server.address() as { port: number };
    await expect(fetch(`http://127.0.0.1:${port}/gone`)).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seenAfterReset).toBe('127.0.0.1');
  });

  it('knows no request outside one', () => {
    expect(currentRequest()).toBeUndefined();
  });
});
