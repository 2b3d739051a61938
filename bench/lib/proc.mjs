// Child processes of one harness run: started here, stopped here by PID (never by name), on
// success, failure, a signal or the global timeout alike.
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';

const running = new Map(); // pid -> { child, group }

/** A harness failure (as opposed to a target not met): the run exits 1. */
export class HarnessError extends Error {}

/**
 * Starts a command. `logFile` takes its stdout and stderr (else they are collected and returned
 * by `finished`); `group` makes it a process-group leader so stopping it stops its children too.
 */
export function start(command, args, { env, logFile, group = false, cwd } = {}) {
  const fd = logFile ? openSync(logFile, 'a') : null;
  const stdio = fd === null ? ['ignore', 'pipe', 'pipe'] : ['ignore', fd, fd];
  const child = spawn(command, args, { env, cwd, stdio, detached: group });
  if (fd !== null) closeSync(fd);
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk) => (output.stdout += chunk));
  child.stderr?.on('data', (chunk) => (output.stderr += chunk));
  child.finished = new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      running.delete(child.pid);
      resolve({ code, signal, ...output });
    });
  });
  child.finished.catch(() => {}); // awaited by the caller; never an unhandled rejection
  if (child.pid !== undefined) running.set(child.pid, { child, group });
  return child;
}

/** Runs a command to its end; its output, or a HarnessError naming it when it fails. */
export async function run(command, args, options = {}) {
  const result = await start(command, args, options).finished;
  if (result.code !== 0) {
    const tail = `${result.stderr}${result.stdout}`.trim().split('\n').slice(-8).join('\n');
    throw new HarnessError(
      `${command} ${args.join(' ')} exited ${result.code ?? result.signal}\n${tail}`,
    );
  }
  return result;
}

/** Stops one child (and its group, if it leads one): SIGTERM, then SIGKILL after a grace time. */
export async function stop(child, graceMs = 5000) {
  const entry = running.get(child.pid);
  if (!entry) return;
  const target = entry.group ? -child.pid : child.pid;
  const signal = (name) => {
    try {
      process.kill(target, name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), graceMs);
  await child.finished.catch(() => {});
  clearTimeout(timer);
}

/** Stops every child still running, in parallel. */
export function stopAll() {
  return Promise.all([...running.values()].map(({ child }) => stop(child)));
}

/** Synchronous last resort (process 'exit'): SIGKILL whatever is left, by PID. */
export function killAllNow() {
  for (const [pid, { group }] of running) {
    try {
      process.kill(group ? -pid : pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** `count` distinct free TCP ports on loopback (all held open together, then released). */
export async function freePorts(count) {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** Waits until `url` answers 200 (to `headers`), or fails when the child exits or the time is up. */
export async function waitForHttp(url, child, timeoutMs, describe, headers = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!running.has(child.pid)) throw new HarnessError(`${describe} exited during start-up`);
    try {
      const response = await fetch(url, { headers, signal: AbortSignal.timeout(1000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new HarnessError(`${describe} did not answer 200 on ${url} within ${timeoutMs / 1000} s`);
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
