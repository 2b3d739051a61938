import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { THREAD_POOL_NICENESS } from '../src/common/concurrency/thread-pool-priority';

const ROOT = join(__dirname, '..');
const POOL_SIZE = 3;
const onLinux = existsSync('/proc/self/task');

/** Each thread's nice value (field 19 of /proc/<pid>/task/<tid>/stat), by thread id. */
function nicenessOf(pid: number): Map<number, number> {
  const threads = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    // After the command name in parentheses: state is field 3, nice is field 19.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    threads.set(Number(tid), Number(fields[19 - 3]));
  }
  return threads;
}

/**
 * argon2 runs on libuv's thread pool; the service lowers those threads' priority at start-up so
 * that a login storm never keeps the event loop waiting for a core (see thread-pool-priority.ts).
 */
(onLinux ? describe : describe.skip)('the thread pool runs below the event loop', () => {
  beforeAll(() => {
    execFileSync(process.execPath, ['build-if-stale.mjs'], { cwd: ROOT, stdio: 'ignore' });
  }, 120_000);

  it('lowers exactly the pool threads, never the event loop thread', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'main.js')], {
      cwd: mkdtempSync(join(tmpdir(), 'tessera-priority-')),
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'development',
        PORT: '0',
        HOST: '127.0.0.1',
        UV_THREADPOOL_SIZE: String(POOL_SIZE),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        let output = '';
        const timer = setTimeout(() => reject(new Error(`never listened:\n${output}`)), 15_000);
        const collect = (chunk: Buffer) => {
          output += chunk.toString();
          if (!/Listening on/.test(output)) return;
          clearTimeout(timer);
          resolve();
        };
        child.stdout.on('data', collect);
        child.stderr.on('data', collect);
      });
      const threads = nicenessOf(child.pid!);
      expect(threads.get(child.pid!)).toBe(0);
      const lowered = [...threads.values()].filter((nice) => nice === THREAD_POOL_NICENESS);
      expect(lowered).toHaveLength(POOL_SIZE);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
