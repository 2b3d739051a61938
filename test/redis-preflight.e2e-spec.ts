import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const JEST = join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');

/** A local port nobody listens on: bound by us, then closed. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Runs jest on a spec that does not need Redis, with REDIS_URL at `url`. */
function runJest(url: string): Promise<{ code: number | null; stderr: string; ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(
      process.execPath,
      [JEST, 'src/config/env.validation.spec.ts', '--selectProjects', 'unit'],
      { cwd: ROOT, env: { ...process.env, REDIS_URL: url }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, ms: Date.now() - started });
    });
  });
}

describe('npm test without Redis', () => {
  it('stops at once with one line saying how to start Redis', async () => {
    const port = await closedPort();
    const { code, stderr, ms } = await runJest(`redis://127.0.0.1:${port}`);
    expect(code).toBe(1);
    const lines = stderr.split('\n').filter((line) => line.trim() !== '');
    expect(lines).toEqual([
      `Redis is not answering at redis://127.0.0.1:${port}: start it with \`redis-server --daemonize yes\` or set REDIS_URL`,
    ]);
    // jest's own start-up included: no test ran, so nothing waited for a timeout.
    expect(ms).toBeLessThan(15_000);
  }, 60_000);

  it('never shows the password of REDIS_URL', async () => {
    const port = await closedPort();
    const { code, stderr } = await runJest(`redis://user:s3cret-pass@127.0.0.1:${port}`);
    expect(code).toBe(1);
    expect(stderr).toContain(`Redis is not answering at redis://127.0.0.1:${port}:`);
    expect(stderr).not.toContain('s3cret-pass');
  }, 60_000);
});
