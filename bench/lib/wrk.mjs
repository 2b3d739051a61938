// Runs wrk (one thread, as TOOLCHAIN.md measured: more threads only steal the service's core) with
// a script assembled from bench/lua, and returns the BENCH_RESULT line its done() prints.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HarnessError, run, start } from './proc.mjs';

const LUA_DIR = new URL('../lua/', import.meta.url).pathname;
const lua = (name) => readFileSync(join(LUA_DIR, name), 'utf8');

/** Writes the wrk script for `parts` (files of bench/lua, in order) plus the stats reporter. */
export function wrkScript(dir, name, parts) {
  const path = join(dir, `${name}.lua`);
  writeFileSync(path, [...parts.map(lua), lua('stats.lua')].join('\n'));
  return path;
}

/**
 * Starts one wrk load: `{ url, script, connections, seconds, headers, env }`. Returns the child;
 * `wrkResult(child)` waits for it and parses its report.
 */
export function startWrk({ url, script, connections, seconds, headers = {}, env = {} }) {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', script];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  args.push(url);
  return start('wrk', args, { env: { ...process.env, ...env } });
}

export async function wrkResult(child) {
  const { code, signal, stdout, stderr } = await child.finished;
  const line = stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (code !== 0 || !line) {
    throw new HarnessError(`wrk failed (${code ?? signal}): ${stderr.trim() || stdout.trim()}`);
  }
  return summarize(JSON.parse(line.slice('BENCH_RESULT '.length)));
}

/** One wrk run, summarised: rate, latency in ms, non-2xx and socket errors. */
function summarize(raw) {
  const seconds = raw.durationUs / 1e6;
  const { connect, read, write, timeout, status } = raw.errors;
  return {
    requests: raw.requests,
    seconds,
    rate: raw.requests / seconds,
    latencyMs: Object.fromEntries(
      Object.entries(raw.latencyUs).map(([key, us]) => [key, Math.round(us / 10) / 100]),
    ),
    // A script with response() counts every non-2xx; otherwise wrk counts answers >= 400.
    non2xx: raw.countsStatuses ? raw.non2xx : status,
    statuses: raw.statuses,
    socketErrors: connect + read + write + timeout,
    socketErrorDetail: { connect, read, write, timeout },
  };
}

/** `wrk -v` prints its version on the first line (and exits 1). */
export async function wrkVersion() {
  const child = start('wrk', ['-v']);
  const { stdout, stderr } = await child.finished;
  return `${stdout}${stderr}`
    .split('\n')[0]
    .replace(/ Copyright.*/, '')
    .trim();
}

/** Fails with a clear message when wrk is not installed. */
export async function requireWrk() {
  try {
    await run('sh', ['-c', 'command -v wrk']);
  } catch {
    throw new HarnessError(
      'wrk is missing: install it (Debian/Ubuntu: apt-get install -y wrk) and run again',
    );
  }
}
