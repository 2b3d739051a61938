import { Env } from '../../config/env.validation';
import { createAppLogger, stdoutMode } from './http-logger';
import { PRETTY_OPTIONS, prettyStdout } from './pretty-stdout';

function appEnv(nodeEnv: Env['app']['nodeEnv'], logPretty: boolean): Env['app'] {
  return { nodeEnv, logPretty } as Env['app'];
}

describe('stdoutMode', () => {
  it.each([
    ['development', true, true, 'pretty'],
    ['development', true, false, 'lines'],
    ['development', false, true, 'lines'],
    ['test', false, true, 'lines'],
    ['production', false, true, 'batched'],
    ['production', false, false, 'batched'],
  ] as const)('%s with LOG_PRETTY %s and a terminal %s writes %s', (nodeEnv, pretty, tty, mode) => {
    expect(stdoutMode(appEnv(nodeEnv, pretty), tty)).toBe(mode);
  });
});

describe('prettyStdout', () => {
  let written: string[];
  beforeEach(() => {
    written = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  });
  afterEach(() => jest.restoreAllMocks());

  function logger() {
    const stream = prettyStdout({ ...PRETTY_OPTIONS, colorize: false });
    if (!stream) throw new Error('pino-pretty is a devDependency: npm install');
    return createAppLogger(appEnv('development', true), stream);
  }

  it('writes a request as one short line: method, path, status and time, no ids', () => {
    logger().info(
      {
        reqId: 'req-7',
        req: { method: 'GET', url: '/auth/me' },
        res: { statusCode: 200 },
        responseTime: 3.1,
      },
      'request completed',
    );
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: GET \/auth\/me 200 3\.1 ms\n$/);
  });

  it("prefixes Nest's lines with their context and keeps other fields on the same line", () => {
    logger().warn({ context: 'Bootstrap', userId: 'u-1' }, 'in-memory store');
    const [line] = written;
    expect(line).toMatch(/WARN: \[Bootstrap\] in-memory store \{"userId":"u-1"\}\n$/);
    expect(line.trimEnd().split('\n')).toHaveLength(1);
    expect(line).not.toContain('context');
  });

  it('writes an audit event on one line, not as indented JSON', () => {
    logger().info({ audit: { event: 'USER_CREATED', details: { roles: ['admin'] } } }, 'audit');
    expect(written.join('').trimEnd().split('\n')).toHaveLength(1);
    expect(written[0]).toContain('"event":"USER_CREATED"');
  });

  it('still redacts secrets', () => {
    logger().info({ body: { password: 'hunter2-hunter2' } }, 'careless');
    expect(written.join('')).not.toContain('hunter2');
    expect(written.join('')).toContain('[redacted]');
  });
});
