import Fastify, { FastifyInstance } from 'fastify';
import { AddressInfo, connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { answerHalfClosedClients } from './half-close';
import {
  MAX_PIPELINED_IN_PROCESS,
  MAX_PIPELINED_RUNNING,
  MAX_PIPELINED_WAITING,
  MAX_REFUSED,
  orderPipelinedRequests,
  pipelinedRequestsInProcess,
} from './pipelined-order';

/**
 * A server with a state that POST /state changes after a pause (as a logout waits for its store)
 * and GET /state reads, and a GET /hold that answers only once GET /release came.
 */
async function server(ordered: boolean) {
  const fastify = Fastify();
  answerHalfClosedClients(fastify.server);
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
  fastify.post('/fast', () => ({ fast: true }));
  let running = 0;
  fastify.get('/busy/:n', async (request) => {
    running += 1;
    const seen = running;
    await sleep(5);
    running -= 1;
    return { n: (request.params as { n: string }).n, seen };
  });
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

/**
 * Writes `requests` in one packet and returns all that was read until the server closed the
 * connection; with `end`, the client half-closes after them, so the server closes once it has
 * answered what it took.
 */
function untilClosed(fastify: FastifyInstance, requests: string[], { end = false } = {}) {
  const { port } = fastify.server.address() as AddressInfo;
  return new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () =>
      end ? socket.end(requests.join('')) : socket.write(requests.join('')),
    );
    let read = '';
    socket.on('data', (chunk: Buffer) => (read += chunk.toString()));
    socket.on('close', () => resolve(read));
    socket.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNRESET' ? resolve(read) : reject(error),
    );
    socket.setTimeout(5000, () => socket.destroy(new Error(`not closed; read: ${read}`)));
  });
}

/** Polls `check` every 10 ms for up to 3 s. */
async function until(check: () => boolean) {
  for (let i = 0; i < 300 && !check(); i += 1) await sleep(10);
  expect(check()).toBe(true);
}

const answered = (read: string) => (read.match(/HTTP\/1\.1 200/g) ?? []).length;

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

  it(`runs at most ${MAX_PIPELINED_RUNNING} pipelined requests behind the first at once, answering all in order`, async () => {
    fastify = await server(true);
    const count = 3 * MAX_PIPELINED_RUNNING;
    const answers = (
      await pipelined(
        fastify,
        Array.from({ length: count }, (_, n) => GET(`/busy/${n}`)),
      )
    ).map((body) => JSON.parse(body) as { n: string; seen: number });
    expect(answers.map((a) => Number(a.n))).toEqual([...Array(count).keys()]);
    const mostAtOnce = Math.max(...answers.map((a) => a.seen));
    // The first, and the 16 behind it (one read of the socket holds them all), still side by side.
    expect(mostAtOnce).toBeLessThanOrEqual(MAX_PIPELINED_RUNNING + 1);
    expect(mostAtOnce).toBeGreaterThan(1);
  });

  it('is what bounds them: without it every pipelined request runs at once', async () => {
    fastify = await server(false);
    const count = 3 * MAX_PIPELINED_RUNNING;
    const answers = await pipelined(
      fastify,
      Array.from({ length: count }, (_, n) => GET(`/busy/${n}`)),
    );
    expect(Math.max(...answers.map((body) => (JSON.parse(body) as { seen: number }).seen))).toBe(
      count,
    );
  });

  it(`answers ${MAX_PIPELINED_WAITING} requests waiting behind those; past them it answers what it took, then closes`, async () => {
    fastify = await server(true);
    const most = 1 + MAX_PIPELINED_RUNNING + MAX_PIPELINED_WAITING;
    const requests = (count: number) => Array.from({ length: count }, (_, n) => GET(`/busy/${n}`));
    expect(await pipelined(fastify, requests(most))).toHaveLength(most);
    const read = await untilClosed(fastify, requests(most + 10));
    // Every request taken is answered, in order, the last one saying the connection closes.
    const answers = read.split('HTTP/1.1 ').slice(1);
    expect(answers).toHaveLength(most);
    expect(answers.map((a) => (/"n":"(\d+)"/.exec(a) ?? [])[1])).toEqual(
      [...Array(most).keys()].map(String),
    );
    expect(answers.slice(0, -1).every((a) => /connection: keep-alive/i.test(a))).toBe(true);
    expect(answers.at(-1)).toMatch(/connection: close/i);
    expect(pipelinedRequestsInProcess()).toBe(0);
    // The server itself is fine, and so is the next connection.
    expect(await pipelined(fastify, [GET('/state')])).toEqual(['{"state":"before"}']);
  });

  it(`answers an unsafe request and the ${MAX_PIPELINED_WAITING} waiting behind it, then closes`, async () => {
    fastify = await server(true);
    const read = await untilClosed(
      fastify,
      Array.from({ length: MAX_PIPELINED_WAITING + 20 }, () => POST('/fast')),
    );
    expect(answered(read)).toBe(1 + MAX_PIPELINED_WAITING);
    expect(read.slice(read.lastIndexOf('HTTP/1.1 '))).toMatch(/connection: close/i);
  });

  it(`takes at most ${MAX_PIPELINED_IN_PROCESS} pipelined requests in the process; the connections past them close after what they are owed`, async () => {
    fastify = await server(true);
    const connections = Math.ceil(MAX_PIPELINED_IN_PROCESS / MAX_PIPELINED_RUNNING) + 3;
    const perConnection = 1 + MAX_PIPELINED_RUNNING;
    // Each connection: a GET /hold answered only on release, with 16 more behind it.
    const reads = Array.from({ length: connections }, () =>
      untilClosed(
        fastify,
        Array.from({ length: perConnection }, () => GET('/hold')),
        { end: true },
      ),
    );
    await until(() => pipelinedRequestsInProcess() >= MAX_PIPELINED_IN_PROCESS);
    expect(await pipelined(fastify, [GET('/release')])).toEqual(['{"released":true}']);
    const counts = (await Promise.all(reads)).map(answered);
    // All taken requests answered; the connections that came last got their first answer only.
    expect(counts.reduce((a, b) => a + b, 0)).toBe(connections + MAX_PIPELINED_IN_PROCESS);
    expect(counts.filter((c) => c === 1).length).toBeGreaterThan(0);
    expect(pipelinedRequestsInProcess()).toBe(0);
  });

  it('reads nothing more from a connection told to close, however much its client writes', async () => {
    fastify = await server(true);
    let built = 0;
    fastify.server.on('request', () => (built += 1));
    const { port } = fastify.server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.on('error', () => undefined);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    // Past the bound at once (1 + 16 running + 128 waiting + 1), then 4 MB more of GETs.
    socket.write(
      [...Array(2 + MAX_PIPELINED_RUNNING + MAX_PIPELINED_WAITING).keys()]
        .map((n) => GET(`/busy/${n}`))
        .join(''),
    );
    const more = GET('/health').repeat(32 * 1024);
    for (let i = 0; i < 8 && !socket.destroyed; i += 1) {
      socket.write(more);
      await sleep(50);
    }
    socket.destroy();
    await closed;
    // What was read before it stopped, and at most MAX_REFUSED more: not the ~260 000 offered.
    expect(built).toBeGreaterThan(1 + MAX_PIPELINED_RUNNING + MAX_PIPELINED_WAITING);
    expect(built).toBeLessThanOrEqual(
      2 + MAX_PIPELINED_RUNNING + MAX_PIPELINED_WAITING + MAX_REFUSED + (64 * 1024) / 16,
    );
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
