import { Writable } from 'node:stream';

/** The JSON log lines of an app under test (`startApp(env, { logDestination: logs.stream })`). */
export class LogCapture {
  private readonly chunks: string[] = [];
  readonly stream = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      this.chunks.push(chunk.toString());
      done();
    },
  });

  /** Everything logged so far, as written. */
  get text(): string {
    return this.chunks.join('');
  }

  /** The lines whose `msg` matches. */
  messages(pattern: RegExp): string[] {
    return this.text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => String((JSON.parse(line) as { msg?: unknown }).msg))
      .filter((msg) => pattern.test(msg));
  }
}
