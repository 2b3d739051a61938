import Fastify, { FastifyInstance } from 'fastify';
import { AddressInfo, connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { orderPipelinedRequests } from './pipelined-order';

/**
 * A server with a state that POST /state changes after a pause (as a logout waits for its store)
 * and GET /state reads, and a GET /hold that answers only once GET /release came.
 */
async function server(ordered: boolean) {
  const fastify = Fastify();
  if (ordered) orderPipelinedRequests(fastify);
  let state = 'before';
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  fastify.post('/state', async () => {
    await sleep(30);
    state = 'after';
    return { state };
  });
  fastify.get('/state', () => ({ state }));
  fastify.get('/hold', async () => {
    await released;
    return { held: true };
  });
  fastify.get('/release', () => {
    release();
    return { released: true };
  });
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  return fastify;
}

const GET = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;
const POST = (path: string) => `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`;

/** Writes `requests` in one packet and returns the bodies of the `count` answers, in order. */
function pipelined(fastify: FastifyInstance, requests: string[], count = requests.length) {
  const { port } = fastify.server.address() as AddressInfo;
  return new Promise<string[]>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(requests.join('')));
    let read = '';
    socket.on('data', (chunk: Buffer) => {
      read += chunk.toString();
      const bodies = read.match(/\{[^}]*\}/g) ?? [];
      if (bodies.length === count) {
        socket.destroy();
        resolve(bodies);
      }
    });
    socket.on('error', reject);
    socket.setTimeout(3000, () => socket.destroy(new Error(`no ${count} answers; read: ${read}`)));
  });
}

describe('orderPipelinedRequests', () => {
  let fastify: FastifyInstance;
  afterEach(() => fastify.close());

  it('runs a request pipelined behind an unsafe one only after that one was answered', async () => {
    fastify = await server(true);
    expect(await pipelined(fastify, [POST('/state'), GET('/state')])).toEqual([
      '{"state":"after"}',
      '{"state":"after"}',
    ]);
  });

  it('is what makes the difference: without it the GET runs beside the POST', async () => {
    fastify = await server(false);
    expect(await pipelined(fastify, [POST('/state'), GET('/state')])).toEqual([
      '{"state":"after"}',
      '{"state":"before"}',
    ]);
  });

  it('runs an unsafe request only after the safe ones before it were answered', async () => {
    fastify = await server(true);
    expect(await pipelined(fastify, [GET('/state'), POST('/state'), GET('/state')])).toEqual([
      '{"state":"before"}',
      '{"state":"after"}',
      '{"state":"after"}',
    ]);
  });

  it('still runs safe requests side by side (a held GET is released by the GET behind it)', async () => {
    fastify = await server(true);
    expect(await pipelined(fastify, [GET('/hold'), GET('/release')])).toEqual([
      '{"held":true}',
      '{"released":true}',
    ]);
  });

  it('lets requests on other connections run while one waits', async () => {
    fastify = await server(true);
    const behindHold = pipelined(fastify, [GET('/hold'), POST('/state'), GET('/state')]);
    // The POST waits for the held GET; a GET /release on another connection is not held up.
    await sleep(50);
    expect(await pipelined(fastify, [GET('/state')])).toEqual(['{"state":"before"}']);
    expect(await pipelined(fastify, [GET('/release')])).toEqual(['{"released":true}']);
    expect(await behindHold).toEqual(['{"held":true}', '{"state":"after"}', '{"state":"after"}']);
  });

  it('answers injected requests (no connection of their own) at once', async () => {
    fastify = await server(true);
    const answers = await Promise.all([
      fastify.inject({ method: 'POST', url: '/state' }),
      fastify.inject({ url: '/release' }),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200]);
  });
});
