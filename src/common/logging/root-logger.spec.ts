import pino from 'pino';
import { Writable } from 'node:stream';
import { NestPinoLogger } from './root-logger';

function nestLogger() {
  const lines: { level: string; context?: string; msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
      callback();
    },
  });
  const logger = pino(
    { level: 'debug', formatters: { level: (label: string) => ({ level: label }) } },
    stream,
  );
  return { lines, nest: new NestPinoLogger(logger) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('NestPinoLogger', () => {
  it("logs Nest's per-module and per-route start-up lines at debug, ours at info", async () => {
    const { lines, nest } = nestLogger();
    nest.log('AppModule dependencies initialized', 'InstanceLoader');
    nest.log('Mapped {/auth/me, GET} route', 'RouterExplorer');
    nest.log('Listening on 0.0.0.0:3000', 'Tessera');
    await settle();
    expect(lines.map((l) => [l.context, l.level])).toEqual([
      ['InstanceLoader', 'debug'],
      ['RouterExplorer', 'debug'],
      ['Tessera', 'info'],
    ]);
  });

  it('keeps warnings and errors of those contexts at their level', async () => {
    const { lines, nest } = nestLogger();
    nest.warn('something odd', 'InstanceLoader');
    nest.error('it broke', 'some stack', 'RoutesResolver');
    await settle();
    expect(lines.map((l) => l.level)).toEqual(['warn', 'error']);
  });
});
