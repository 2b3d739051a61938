import { connect } from 'node:net';
import { cleanUp, startApp, testEnvironment, TestApp } from './support/test-app';
import { until } from './support/wait';
import { login, ticketFor } from './support/ws-client';

/*
 * HTTP/1.1 pipelining: several requests in one packet on one connection. Every answer leaves at
 * the end of its event-loop turn (coalesced-writes.ts), and a store-backed one later still; what
 * writes on the raw connection (the parser's error answers, a WebSocket's 101) must wait for the
 * answers to the requests before it, never take their place.
 */

let t: TestApp;

beforeAll(async () => {
  t = await startApp(testEnvironment());
});

afterAll(async () => {
  await t.close();
  await cleanUp(t.env);
});

/**
 * Writes `bytes` in one packet and reads what comes back, until the server closes the
 * connection or `enough` says so (then it is closed here). With `halfClose` the client shuts its
 * sending side right after the bytes (a FIN), as some clients do once their request is sent.
 */
function exchange(
  bytes: string,
  enough: (answer: string) => boolean = () => false,
  { halfClose = false } = {},
) {
  const { port } = new URL(t.http.baseUrl);
  return new Promise<string>((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () =>
      halfClose ? socket.end(bytes) : socket.write(bytes),
    );
    let answer = '';
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      if (enough(answer)) socket.destroy();
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no end; read: ${answer}`)));
  });
}

/** The status lines of an exchange, in the order they came. */
const statusLines = (answer: string) => answer.match(/HTTP\/1\.1 \d{3} [^\r]*/g) ?? [];

const GET = (path: string, headers = '') => `GET ${path} HTTP/1.1\r\nHost: x\r\n${headers}\r\n`;
const POST = (path: string, headers = '') =>
  `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n${headers}\r\n`;

describe('pipelined requests', () => {
  it("answers a good request before the parser's 400 for the garbage after it", async () => {
    const answer = await exchange(`${GET('/health/live')}X`);
    expect(statusLines(answer)).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 400 Bad Request']);
    expect(answer.indexOf('{"status":"ok"}')).toBeLessThan(answer.indexOf('HTTP/1.1 400'));
  });

  it('answers store-backed requests first too, in their order, then the 431', async () => {
    const tooBig = `X-Big: ${'a'.repeat(20_000)}\r\n`;
    const answer = await exchange(
      GET('/auth/me', 'Authorization: Bearer not.a.token\r\n') +
        GET('/health/ready') +
        GET('/nowhere') +
        GET('/health/live', tooBig),
    );
    expect(statusLines(answer)).toEqual([
      'HTTP/1.1 401 Unauthorized',
      'HTTP/1.1 200 OK',
      'HTTP/1.1 404 Not Found',
      'HTTP/1.1 431 Request Header Fields Too Large',
    ]);
  });

  it('answers 400 and closes when the body of a request is not valid chunked encoding', async () => {
    const { tokens } = await login(t.http);
    const badChunk =
      'POST /auth/refresh HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n' +
      'Content-Type: application/json\r\n\r\nzz\r\n';
    expect(statusLines(await exchange(badChunk))).toEqual(['HTTP/1.1 400 Bad Request']);
    // Behind a store-backed answer, that answer first.
    const answer = await exchange(
      GET('/auth/me', `Authorization: Bearer ${tokens.access_token}\r\n`) + badChunk,
    );
    expect(statusLines(answer)).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 400 Bad Request']);
  });

  it('sends no error answer after a request that asked to close the connection', async () => {
    const answer = await exchange(`${GET('/health/live', 'Connection: close\r\n')}X`);
    expect(statusLines(answer)).toEqual(['HTTP/1.1 200 OK']);
  });

  it('answers a request pipelined behind a logout as the logout left the session: 401', async () => {
    const { tokens } = await login(t.http);
    const bearer = `Authorization: Bearer ${tokens.access_token}\r\n`;
    const answer = await exchange(
      POST('/auth/logout', bearer) +
        GET('/auth/me', bearer) +
        GET('/health/live', 'Connection: close\r\n'),
    );
    expect(statusLines(answer)).toEqual([
      'HTTP/1.1 204 No Content',
      'HTTP/1.1 401 Unauthorized',
      'HTTP/1.1 200 OK',
    ]);
  });

  it('answers the requests pipelined before a logout as the session was before it', async () => {
    const { tokens } = await login(t.http);
    const bearer = `Authorization: Bearer ${tokens.access_token}\r\n`;
    const answer = await exchange(
      GET('/auth/me', bearer) +
        GET('/auth/sessions', bearer) +
        POST('/auth/logout', bearer) +
        GET('/auth/me', bearer + 'Connection: close\r\n'),
    );
    expect(statusLines(answer)).toEqual([
      'HTTP/1.1 200 OK',
      'HTTP/1.1 200 OK',
      'HTTP/1.1 204 No Content',
      'HTTP/1.1 401 Unauthorized',
    ]);
  });

  it('still ends the session when the client leaves before the answers', async () => {
    const { tokens } = await login(t.http);
    const bearer = `Authorization: Bearer ${tokens.access_token}\r\n`;
    // Gone as soon as the first byte of an answer comes back.
    await exchange(
      GET('/auth/me', bearer) + POST('/auth/logout', bearer),
      (read) => read.length > 0,
    );
    await until(
      'the session ended',
      async () => (await t.http.get('/auth/me', { token: tokens.access_token })).status === 401,
    );
    expect((await t.http.get('/auth/me', { token: tokens.access_token })).status).toBe(401);
  });

  it('answers 100 pipelined requests of one session, each once and in order', async () => {
    const { tokens, userId } = await login(t.http);
    const bearer = `Authorization: Bearer ${tokens.access_token}\r\n`;
    const requests = Array.from({ length: 99 }, () => GET('/auth/me', bearer)).join('');
    const answer = await exchange(requests + GET('/auth/me', bearer + 'Connection: close\r\n'));
    expect(statusLines(answer)).toEqual(Array(100).fill('HTTP/1.1 200 OK'));
    expect(answer.split(`"id":"${userId}"`)).toHaveLength(101);
  });

  it('answers a client that half-closes after its requests (shutdown of its sending side)', async () => {
    const { tokens, userId } = await login(t.http);
    const bearer = `Authorization: Bearer ${tokens.access_token}\r\n`;
    const answer = await exchange(GET('/auth/me', bearer) + GET('/health/ready'), undefined, {
      halfClose: true,
    });
    expect(statusLines(answer)).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
    expect(answer).toContain(`"id":"${userId}"`);
  });

  it('writes the 101 of a WebSocket upgrade after the answer before it, then the greeting', async () => {
    const session = await login(t.http);
    const ticket = await ticketFor(t.http, session.tokens.access_token);
    const upgrade = GET(
      `/ws?ticket=${ticket}`,
      'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n',
    );
    const answer = await exchange(
      GET('/auth/me', `Authorization: Bearer ${session.tokens.access_token}\r\n`) + upgrade,
      (read) => read.includes('"hello"'),
    );
    expect(statusLines(answer)).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 101 Switching Protocols']);
    const switched = answer.indexOf('HTTP/1.1 101');
    // The account came whole before the switch; the greeting is a frame after it.
    expect(answer.slice(0, switched)).toContain(`"id":"${session.userId}"`);
    expect(answer.indexOf('"hello"')).toBeGreaterThan(switched);
  });
});
