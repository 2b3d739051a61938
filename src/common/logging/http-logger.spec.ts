import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import type SonicBoom from 'sonic-boom';
import Fastify, { FastifyBaseLogger } from 'fastify';
import {
  batchedDestination,
  createAppLogger,
  isoTimeOncePerMs,
  logCompletedRequests,
  requestLineWriter,
} from './http-logger';

function capture() {
  const lines: Record<string, any>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, any>);
      callback();
    },
  });
  return { lines, stream };
}

const app = { nodeEnv: 'test' } as Parameters<typeof createAppLogger>[0];

describe('createAppLogger', () => {
  it('redacts secrets wherever a careless log call puts them', async () => {
    const { lines, stream } = capture();
    const logger = createAppLogger(app, stream);
    logger.info({
      req: { headers: { authorization: 'Bearer abc.def.ghi', cookie: 'refresh_token=x.y' } },
      res: { headers: { 'set-cookie': 'refresh_token=x.y' } },
      body: { password: 'hunter2-hunter2', refresh_token: 'x.y' },
      token: 'abc.def.ghi',
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines[0]).toEqual(
      expect.objectContaining({
        req: { headers: { authorization: '[redacted]', cookie: '[redacted]' } },
        res: { headers: { 'set-cookie': '[redacted]' } },
        body: { password: '[redacted]', refresh_token: '[redacted]' },
        token: '[redacted]',
      }),
    );
  });

  it('logs the command name of a Redis error, never the arguments it was sent', async () => {
    const { lines, stream } = capture();
    const error = Object.assign(
      new Error("OOM command not allowed when used memory > 'maxmemory'."),
      {
        name: 'ReplyError',
        command: { name: 'evalsha', args: ['{users}:id:1', '{"passwordHash":"$argon2id$v=19$x"}'] },
      },
    );
    createAppLogger(app, stream).error({ err: error, requestId: 'r1' }, 'Unhandled error');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines[0].err.command).toEqual({ name: 'evalsha', args: '[redacted]' });
    expect(JSON.stringify(lines)).not.toContain('argon2');
  });

  it('writes JSON lines with a level label and an ISO time', async () => {
    const { lines, stream } = capture();
    createAppLogger(app, stream).warn('careful');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines[0]).toEqual(
      expect.objectContaining({
        level: 'warn',
        msg: 'careful',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      }),
    );
  });

  it('is silent in tests unless a test captures the output', () => {
    expect(createAppLogger(app).level).toBe('silent');
  });
});

describe('isoTimeOncePerMs', () => {
  it("writes what pino's isoTime writes, formatted again only when the millisecond changes", () => {
    let now = Date.UTC(2026, 10, 30, 8, 0, 0, 123);
    const time = isoTimeOncePerMs(() => now);
    const first = time();
    expect(first).toBe(',"time":"2026-11-30T08:00:00.123Z"');
    const spy = jest.spyOn(Date.prototype, 'toISOString');
    expect(time()).toBe(first);
    expect(spy).not.toHaveBeenCalled();
    now += 1;
    expect(time()).toBe(',"time":"2026-11-30T08:00:00.124Z"');
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
    jest.spyOn(Date, 'now').mockReturnValue(now);
    expect(time()).toBe(pino.stdTimeFunctions.isoTime());
    jest.restoreAllMocks();
  });
});

describe('batchedDestination', () => {
  it('writes every line whole, in order, multi-byte characters included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-log-'));
    const file = join(dir, 'out.log');
    const fd = openSync(file, 'w');
    const stream = batchedDestination(fd) as SonicBoom;
    const logger = pino({ base: null, timestamp: false }, stream);
    // More than one 4 KiB batch, and lines whose UTF-8 length differs from their length.
    const names = Array.from({ length: 300 }, (_, i) => `${i} é ✓ 😀 ${'x'.repeat(i % 50)}`);
    for (const name of names) logger.info({ name }, 'line');
    // end() waits for a write in flight, writes the rest and closes the fd (flushSync() while an
    // asynchronous write is in flight is a race: a loaded CI machine read 6 lines of 300).
    await new Promise<void>((resolve, reject) => {
      stream.once('close', () => resolve());
      stream.once('error', reject);
      stream.end();
    });
    const written = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(written.map((l) => (JSON.parse(l) as { name: string }).name)).toEqual(names);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('requestLineWriter', () => {
  function rawCapture() {
    const raw: string[] = [];
    return { raw, stream: { write: (line: string) => void raw.push(line) } };
  }

  it("writes, byte for byte but the time, the line pino's own call writes for the same fields", () => {
    const { raw, stream } = rawCapture();
    const logger = createAppLogger({ ...app, logLevel: 'debug' }, stream);
    const lines = logger.child({}, { redact: [] });
    const write = requestLineWriter(logger);
    // Paths a client can send: quotes, backslashes, control characters, non-ASCII, a lone
    // surrogate's percent-encoding; methods Fastify routes.
    const paths = ['/auth/me', '/a"b\\c', '/tab\there', '/é/✓/😀', '/%ED%A0%80', '/\u2028'];
    for (const [i, path] of paths.entries()) {
      for (const level of ['info', 'debug', 'error'] as const) {
        const fields = {
          reqId: `0190-${i}`,
          method: i % 2 ? 'POST' : 'GET',
          path,
          status: level === 'error' ? 503 : 200,
          responseTime: i + 0.5,
        };
        write(level, fields);
        lines[level](
          {
            reqId: fields.reqId,
            req: { method: fields.method, url: fields.path },
            res: { statusCode: fields.status },
            responseTime: fields.responseTime,
          },
          'request completed',
        );
        // The two calls may fall in different milliseconds.
        const [ours, pinos] = raw.splice(0, 2).map((l) => l.replace(/"time":"[^"]+"/, '"time":""'));
        expect(ours).toBe(pinos);
        expect(JSON.parse(ours)).toEqual(
          expect.objectContaining({ req: { method: fields.method, url: path } }),
        );
      }
    }
  });

  it("writes nothing below the logger's level, read at each call", () => {
    const { raw, stream } = rawCapture();
    const logger = createAppLogger({ ...app, logLevel: 'info' }, stream);
    const write = requestLineWriter(logger);
    const line = { reqId: 'r', method: 'GET', path: '/health/live', status: 200, responseTime: 1 };
    write('debug', line);
    expect(raw).toEqual([]);
    logger.level = 'debug';
    write('debug', line);
    expect(raw).toHaveLength(1);
    logger.level = 'error';
    write('info', line);
    expect(raw).toHaveLength(1);
  });
});

describe('LOG_LEVEL and LOG_REQUESTS', () => {
  async function requestLines(options: { level?: 'warn' | 'info'; all: boolean }) {
    const { lines, stream } = capture();
    const logger = createAppLogger({ ...app, logLevel: options.level }, stream);
    const loggerInstance: FastifyBaseLogger = logger;
    const fastify = Fastify({ loggerInstance, disableRequestLogging: true });
    logCompletedRequests(fastify, options.all);
    fastify.get('/ok', () => ({ ok: true }));
    fastify.get('/fails', (_request, reply) => reply.code(503).send({ down: true }));
    for (const url of ['/ok', '/missing', '/fails']) await fastify.inject({ url });
    await fastify.close();
    return lines
      .filter((line) => line.msg === 'request completed')
      .map((line) => `${line.level} ${line.req.url} ${line.res.statusCode}`);
  }

  it('writes one line per request by default, 5xx at error', async () => {
    expect(await requestLines({ all: true })).toEqual([
      'info /ok 200',
      'info /missing 404',
      'error /fails 503',
    ]);
  });

  it('writes only the 5xx lines with LOG_REQUESTS=false', async () => {
    expect(await requestLines({ all: false })).toEqual(['error /fails 503']);
  });

  it('writes no info line at LOG_LEVEL=warn, even while a test reads the output', async () => {
    expect(await requestLines({ level: 'warn', all: true })).toEqual(['error /fails 503']);
  });
});
