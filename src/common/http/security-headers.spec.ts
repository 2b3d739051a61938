import Fastify, { FastifyReply } from 'fastify';
import { HSTS_VALUE, registerSecurityHeaders, replyHeaderObject } from './security-headers';

/** A Fastify instance with the security headers, and every reply's `headers` method watched. */
async function appWithHeaders() {
  const fastify = Fastify({ trustProxy: true });
  const publicCalls: string[][] = [];
  fastify.addHook('onRequest', (_request, reply, done) => {
    const original = reply.headers.bind(reply);
    reply.headers = (set: Record<string, string>) => {
      publicCalls.push(Object.keys(set));
      return original(set);
    };
    done();
  });
  registerSecurityHeaders(fastify);
  fastify.get('/api', (_request, reply) => {
    void reply.header('X-Own', 'kept');
    return { ok: true };
  });
  fastify.get('/docs', () => 'docs');
  await fastify.ready();
  return { fastify, publicCalls };
}

describe('security headers', () => {
  it("copies the set into the reply's own header object, not through reply.headers", async () => {
    const { fastify, publicCalls } = await appWithHeaders();
    const response = await fastify.inject({ url: '/api' });
    expect(response.headers).toEqual(
      expect.objectContaining({
        'content-security-policy': expect.stringContaining("frame-ancestors 'none'"),
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'x-own': 'kept',
      }),
    );
    expect(response.headers['strict-transport-security']).toBeUndefined();
    // The fast path was taken: if a Fastify release keeps a reply's headers elsewhere, this
    // fails (the headers are still sent, through the public API, a little slower).
    expect(publicCalls).toEqual([]);
    await fastify.close();
  });

  it('adds HSTS only over https, and the docs their own CSP', async () => {
    const { fastify } = await appWithHeaders();
    const https = await fastify.inject({ url: '/api', headers: { 'x-forwarded-proto': 'https' } });
    expect(https.headers['strict-transport-security']).toBe(HSTS_VALUE);
    const docs = await fastify.inject({ url: '/docs' });
    expect(docs.headers['content-security-policy']).toMatch(/script-src 'self'/);
    await fastify.close();
  });

  it("finds the reply's header object, which is where Fastify keeps what it sends", async () => {
    const fastify = Fastify();
    let seen: unknown;
    fastify.get('/', (_request, reply: FastifyReply) => {
      void reply.header('x-probe', '1');
      seen = replyHeaderObject(reply);
      return {};
    });
    await fastify.inject({ url: '/' });
    expect(seen).toEqual(expect.objectContaining({ 'x-probe': '1' }));
    await fastify.close();
  });
});
