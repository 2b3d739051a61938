import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const READY_LINE = /Ready to accept connections/;
const START_TIMEOUT_MS = 5000;

/** A port nobody listens on right now (the OS picks it; we close our socket at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A private `redis-server` child process for tests that stop, freeze and start Redis: never the
 * shared server. No persistence (`--save ""`, no AOF), bound to 127.0.0.1, its working dir a temp
 * dir. Signalled (stopped, frozen, thawed) by its own PID only.
 */
export class RedisServer {
  private child: ChildProcess | undefined;
  private frozen = false;
  private readonly dir = mkdtempSync(join(tmpdir(), 'tessera-redis-'));

  /** `extraArgs`: more redis-server options, e.g. `['--maxmemory', '1mb']`. */
  private constructor(
    readonly port: number,
    private readonly extraArgs: readonly string[],
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts a server on a free port and waits until it accepts connections. */
  static async start(extraArgs: readonly string[] = []): Promise<RedisServer> {
    const server = await RedisServer.onFreePort(extraArgs);
    await server.resume();
    return server;
  }

  /** A server on a free port that is not started yet (for "Redis comes up after the app"). */
  static async onFreePort(extraArgs: readonly string[] = []): Promise<RedisServer> {
    return new RedisServer(await freePort(), extraArgs);
  }

  /** (Re)starts the server on the same port. */
  async resume(): Promise<void> {
    if (this.child) throw new Error('redis-server is already running');
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', ''];
    args.push('--appendonly', 'no', '--dir', this.dir, ...this.extraArgs);
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'ignore'] });
    this.child = child;
    await waitForReady(child);
  }

  /**
   * SIGSTOP: the server hangs with its connections open, like a host behind a network partition.
   * Clients see no error, only commands that never get an answer.
   */
  freeze(): void {
    if (!this.child) throw new Error('redis-server is not running');
    this.child.kill('SIGSTOP');
    this.frozen = true;
  }

  /** SIGCONT: the frozen server answers again (the commands it was sent meanwhile included). */
  thaw(): void {
    if (!this.frozen) return;
    this.child?.kill('SIGCONT');
    this.frozen = false;
  }

  /**
   * SIGTERM (or `signal`: SIGKILL for a crash) to our child, by its PID, and waits for it to exit.
   */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.thaw(); // a stopped process would only act on SIGTERM once continued
    this.child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }

  /** Stops the server and removes its temp dir. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function waitForReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onExit = (code: number | null): void => fail(`exited with ${code}`);
    const fail = (reason: string): void => {
      clearTimeout(timer);
      child.kill('SIGTERM');
      reject(new Error(`redis-server did not start: ${reason}\n${output.slice(-500)}`));
    };
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (!READY_LINE.test(output)) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout?.off('data', onData);
      child.stdout?.resume(); // keep draining its log, or a full pipe would block the server
      resolve();
    };
    const timer = setTimeout(() => fail('timeout'), START_TIMEOUT_MS);
    child.once('error', (error) => fail(error.message));
    child.once('exit', onExit);
    child.stdout?.on('data', onData);
  });
}
