// The service under test: its production environment, its first key, its users and sessions, and
// the Redis keys it leaves behind (only this run's prefix, never FLUSHDB on a shared Redis).
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { HarnessError, run, start, waitForHttp } from './proc.mjs';

const require = createRequire(import.meta.url);
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Loopback only: the harness never sends load, nor this run's keys, to another machine. */
export function loopbackRedisUrl() {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (!LOOPBACK.has(new URL(url).hostname)) {
    throw new HarnessError(
      `REDIS_URL must point at loopback for the benchmark (got host ${new URL(url).hostname})`,
    );
  }
  return url;
}

/**
 * How `npm run start:prod` (and the Dockerfile, which sets the same values) runs the process: the
 * defaults its script gives to NODE_OPTIONS and to the other `VAR=${VAR:-default}` variables
 * (glibc's MALLOC_MMAP_THRESHOLD_), and the flags it gives `node` itself before `dist/main.js`
 * (V8 flags that NODE_OPTIONS refuses), read from package.json so the benchmark cannot drift from
 * it.
 */
export function productionRuntime(root) {
  const script = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts['start:prod'];
  const defaults = Object.fromEntries(
    [...script.matchAll(/(\w+)=\$\{\1:-"?((?:[^"}\\]|\\.)*)"?\}/g)].map(([, name, value]) => [
      name,
      value.replaceAll('\\"', ''),
    ]),
  );
  if (!defaults.NODE_OPTIONS) {
    throw new HarnessError('package.json start:prod gives NODE_OPTIONS no default to run with');
  }
  const flags = /\bnode((?:\s+--[\w-]+(?:=\S+)?)*)\s+dist\/main\.js\b/.exec(script);
  if (!flags)
    throw new HarnessError('package.json start:prod does not run `node ... dist/main.js`');
  const { NODE_OPTIONS, ...env } = defaults;
  const split = (text) => text.split(/\s+/).filter(Boolean);
  return { nodeArgs: [...split(NODE_OPTIONS), ...split(flags[1])], env };
}

/**
 * Production settings as shipped (NODE_ENV=production: Redis, request logging at info, secure
 * cookies, keys from disk), plus what a load test from one machine needs: TRUST_PROXY=true so the
 * random X-Forwarded-For of each request names the client for the per-IP throttles, and failure
 * limits raised so no lockout can kick in (every login of the storm succeeds anyway).
 */
export function serviceEnv({ port, workDir, redisUrl, threadPool, runtime }) {
  return {
    ...process.env,
    ...runtime.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    COOKIE_SECURE: 'true',
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: `tessera-bench:${randomBytes(6).toString('hex')}:`,
    JWT_KEYS_DIR: join(workDir, 'keys'),
    JWT_ISSUER: `http://127.0.0.1:${port}`,
    // No mail flow: production would need an SMTP relay for it, and nothing here sends mail.
    EMAIL_VERIFICATION: 'false',
    PASSWORD_RESET: 'false',
    // Production seals TOTP secrets with a key of its own: one per run.
    MFA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    // No passkeys: production would need the relying party named, and nothing here uses one.
    PASSKEYS: 'false',
    TRUST_PROXY: 'true',
    LOGIN_MAX_FAILURES: '1000',
    LOGIN_IP_MAX_FAILURES: '1000000',
    UV_THREADPOOL_SIZE: String(threadPool),
  };
}

/**
 * A private copy of the build, so a rebuild in the working tree during the run (`nest build`
 * empties dist/ first) cannot pull the service's files from under it. `modules` (the node_modules
 * installed for the Node that runs it, bench/lib/node-runtime.mjs) is linked beside it.
 */
export function snapshotBuild(root, workDir, modules) {
  if (!existsSync(join(root, 'dist', 'main.js'))) {
    throw new HarnessError(
      'dist/main.js is missing: run without --skip-build (or another build is running)',
    );
  }
  cpSync(join(root, 'dist'), join(workDir, 'app', 'dist'), { recursive: true });
  symlinkSync(modules, join(workDir, 'app', 'node_modules'));
  return join(workDir, 'app', 'dist');
}

/** Starts Tessera (request logging as shipped, to a file) and waits until it is ready. */
export async function startTessera(ctx) {
  // The heap caps and V8 flags that `npm run start:prod` and the Dockerfile run with.
  const tessera = start('node', [...ctx.runtime.nodeArgs, join(ctx.env.BENCH_DIST, 'main.js')], {
    env: ctx.env,
    logFile: join(ctx.workDir, 'tessera.log'),
  });
  const name = `Tessera (its log: ${ctx.workDir}/tessera.log, kept with --keep)`;
  await waitForHttp(`${ctx.serviceUrl}/health/ready`, tessera, 60_000, name);
  return tessera;
}

/** The first signing key, as in deployment: production never generates one at boot. */
export async function createFirstKey(env, dist) {
  await run('node', [join(dist, 'cli', 'keys.js'), 'rotate'], { env });
}

const randomIp = () =>
  [
    11 + Math.floor(Math.random() * 200),
    ...randomBytes(2),
    1 + Math.floor(Math.random() * 250),
  ].join('.');

async function post(base, path, body, expected) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    // A fresh client address each time: set-up must not spend the per-IP throttles either.
    headers: { 'content-type': 'application/json', 'x-forwarded-for': randomIp() },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  if (response.status !== expected) {
    throw new HarnessError(
      `set-up: POST ${path} answered ${response.status}: ${(await response.text()).slice(0, 200)}`,
    );
  }
  return response.json();
}

/** Registers `count` users named `<role>_<n>_<random>`; returns { username, password }[]. */
export async function registerUsers(base, role, count) {
  const tag = randomBytes(3).toString('hex');
  const users = Array.from({ length: count }, (_, i) => ({
    username: `b${role}_${i}_${tag}`,
    password: `Bench-${randomBytes(12).toString('hex')}`,
  }));
  await inBatches(users, 4, (u) =>
    post(base, '/auth/register', { ...u, email: `${u.username}@example.com` }, 201),
  );
  return users;
}

/** Signs in `count` times over `users` (round robin); the token responses. */
export function signIn(base, users, count) {
  const logins = Array.from({ length: count }, (_, i) => users[i % users.length]);
  return inBatches(logins, 4, (u) => post(base, '/auth/login', u, 200));
}

/** One refresh token a line, for bench/lua/refresh.lua. */
export async function refreshPool(base, users, count, file) {
  const sessions = await signIn(base, users, count);
  writeFileSync(file, sessions.map((s) => s.refresh_token).join('\n') + '\n');
}

async function inBatches(items, width, fn) {
  const results = [];
  for (let i = 0; i < items.length; i += width) {
    results.push(...(await Promise.all(items.slice(i, i + width).map(fn))));
  }
  return results;
}

/** Deletes this run's keys: SCAN by its prefix, UNLINK in batches. Returns how many. */
export async function deleteRedisKeys(redisUrl, prefix) {
  const Redis = require('ioredis');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    await redis.connect();
    for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 1000 })) {
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    }
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** VmHWM (peak resident set) and VmRSS of a process, in MiB, from /proc/<pid>/status. */
export function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { peakRssMb: kib('VmHWM') / 1024, rssMb: kib('VmRSS') / 1024 };
}
