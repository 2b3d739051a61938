// `npm run bench:ab`: two or more builds of Tessera compared by what one request costs them, in
// interleaved rounds on the same machine, so that a change's effect is seen through the noise of
// a shared machine (bench/README.md, "Comparing two builds"). Throughput swings by 10-20 % from
// run to run here; the CPU the service spends per request moves far less.
//
//   npm run bench:ab -- main HEAD                  two git refs, each built in a temp worktree
//   npm run bench:ab -- before=/tmp/dist-a dist    built trees (a directory holding main.js)
//   npm run bench:ab -- a=dist b=dist --node-arg b=--no-allocation-site-pretenuring
//                                                  one build, with and without a V8/Node flag
//   options: --rounds N (5)  --seconds S (5)  --scenarios me,live  --node auto|current|PATH
//            --node-arg NAME=FLAG (repeatable: one more flag for the build named NAME, after
//            start:prod's NODE_OPTIONS)
//            --smoke (1 round of 1 s: that the tool works, no figures worth reading)
//
// Each round runs, for each scenario, the bare Fastify reference and then every build (the order
// rotates from round to round), wrk -t1 -c50. Per run it reads, from /proc, the CPU time of the
// service's process (all threads: the main thread, V8's GC helpers, libuv's pool), of its main
// thread alone, and of the Redis server when it runs on this machine; each divided by wrk's
// request count. Printed: medians and ranges over the rounds, and each build's change against
// the first. Exit 1 if any answer was not 2xx or a socket error happened.
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { median } from './lib/figures.mjs';
import { cleanup, guardRun, log, onCleanup } from './lib/lifecycle.mjs';
import { resolveNode } from './lib/node-runtime.mjs';
import { freePorts, HarnessError, run, start, waitForHttp } from './lib/proc.mjs';
import * as tessera from './lib/tessera.mjs';
import { requireWrk, startWrk, wrkResult, wrkScript } from './lib/wrk.mjs';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
process.chdir(ROOT);
const require = createRequire(import.meta.url);

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    scenarios: { type: 'string', default: 'me,live' },
    smoke: { type: 'boolean', default: false },
    node: { type: 'string', default: process.env.BENCH_NODE ?? 'auto' },
    'node-arg': { type: 'string', multiple: true, default: [] },
  },
});
/** Extra Node flags per build name (`--node-arg name=--flag`). */
const extraNodeArgs = new Map();
for (const spec of args['node-arg']) {
  const [name, flag] = spec.split(/=(.*)/s);
  if (!flag) throw new HarnessError(`--node-arg wants NAME=FLAG (got ${spec})`);
  extraNodeArgs.set(name, [...(extraNodeArgs.get(name) ?? []), flag]);
}
const rounds = Number(args.rounds ?? (args.smoke ? 1 : 5));
const seconds = Number(args.seconds ?? (args.smoke ? 1 : 5));
const SCENARIOS = { me: '/auth/me', live: '/health/live' };
const scenarios = args.scenarios.split(',');
for (const s of scenarios) {
  if (!SCENARIOS[s]) throw new HarnessError(`unknown scenario ${s} (known: me, live)`);
}
if (positionals.length < 1) {
  console.error('usage: npm run bench:ab -- [name=]<git ref or dist dir> ... (see bench/ab.mjs)');
  process.exit(2);
}
const perRound = (positionals.length + 1) * scenarios.length * (seconds + 1);
guardRun(600 + 120 * positionals.length + (rounds + 1) * perRound * 1.5);

/** utime + stime, in clock ticks (100 per second on Linux), of a process or one of its threads. */
function ticks(path) {
  const fields = readFileSync(path, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
}
const processTicks = (pid) => ticks(`/proc/${pid}/stat`);
const mainThreadTicks = (pid) => ticks(`/proc/${pid}/task/${pid}/stat`);

/** The local Redis server's pid (INFO server), if its /proc entry is readable; else null. */
async function redisPid(url) {
  const Redis = require('ioredis');
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const pid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
    return pid && existsSync(`/proc/${pid}/stat`) ? pid : null;
  } finally {
    redis.disconnect();
  }
}

/** A build to compare: a directory with main.js as is, else a git ref built in a worktree. */
async function buildOf(spec, workDir, index) {
  const [name, target] = spec.includes('=') ? spec.split(/=(.*)/s) : [null, spec];
  if (existsSync(join(target, 'main.js'))) {
    return { name: name ?? (basename(resolve(target)) || `build${index}`), dist: resolve(target) };
  }
  const { stdout } = await run('git', ['rev-parse', '--verify', `${target}^{commit}`]);
  const commit = stdout.trim();
  const tree = join(workDir, `src-${index}`);
  log(`building ${target} (${commit.slice(0, 7)}) in a temporary worktree`);
  await run('git', ['worktree', 'add', '--detach', tree, commit]);
  onCleanup(() => run('git', ['worktree', 'remove', '--force', tree]));
  // The working tree's dev dependencies build it: a ref whose lockfile differs builds with these.
  symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'));
  await run('npm', ['run', 'build'], { cwd: tree });
  return { name: name ?? target, dist: join(tree, 'dist') };
}

/** Starts one build as `npm run start:prod` would, with one user signed in; its access token. */
async function startBuild(build, ctx, index) {
  const workDir = join(ctx.workDir, `svc-${index}`);
  // A private copy, as `npm run bench` makes: a rebuild during the run cannot swap its files.
  const dist = join(workDir, 'app', 'dist');
  mkdirSync(join(workDir, 'app'), { recursive: true });
  cpSync(build.dist, dist, { recursive: true });
  symlinkSync(ctx.node.modules, join(workDir, 'app', 'node_modules'));
  const [port] = await freePorts(1);
  const env = tessera.serviceEnv({
    port,
    workDir,
    redisUrl: ctx.redisUrl,
    threadPool: 4,
    runtime: ctx.runtime,
  });
  onCleanup(() => tessera.deleteRedisKeys(ctx.redisUrl, env.REDIS_KEY_PREFIX));
  await tessera.createFirstKey({ ...env, PATH: ctx.path }, dist);
  const nodeArgs = [...ctx.runtime.nodeArgs, ...(extraNodeArgs.get(build.name) ?? [])];
  if (nodeArgs.length > ctx.runtime.nodeArgs.length)
    log(`${build.name}: node ${nodeArgs.join(' ')}`);
  const child = start(ctx.node.bin, [...nodeArgs, join(dist, 'main.js')], {
    env,
    logFile: join(workDir, 'tessera.log'),
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health/ready`, child, 60_000, `${build.name} (${workDir})`);
  const [session] = await tessera.signIn(url, await tessera.registerUsers(url, 'ab', 1), 1);
  return { ...build, child, url, token: session.access_token };
}

async function main() {
  await requireWrk();
  const workDir = mkdtempSync(join(tmpdir(), 'tessera-ab-'));
  onCleanup(() => rmSync(workDir, { recursive: true, force: true }));
  const node = await resolveNode(ROOT, args.node, log);
  const ctx = {
    workDir,
    node,
    redisUrl: tessera.loopbackRedisUrl(),
    runtime: tessera.productionRuntime(ROOT),
    path: `${dirname(node.bin)}:${process.env.PATH}`,
  };
  const builds = [];
  for (const [i, spec] of positionals.entries()) builds.push(await buildOf(spec, workDir, i));
  const [helloPort] = await freePorts(1);
  const hello = start(node.bin, ['bench/reference.mjs', String(helloPort)], { env: process.env });
  await waitForHttp(`http://127.0.0.1:${helloPort}/`, hello, 20_000, 'the reference');
  const reference = {
    name: 'hello (reference)',
    child: hello,
    url: `http://127.0.0.1:${helloPort}`,
  };
  const services = [];
  for (const [i, build] of builds.entries()) services.push(await startBuild(build, ctx, i));
  const redis = await redisPid(ctx.redisUrl);
  log(`Node ${node.version}; Redis CPU ${redis ? `read from pid ${redis}` : 'not readable here'}`);
  const script = wrkScript(workDir, 'plain', []);
  const series = new Map();
  let failures = 0;
  for (let round = 0; round <= rounds; round++) {
    log(round === 0 ? 'warm-up round (not counted)' : `round ${round}/${rounds}`);
    for (const scenario of scenarios) {
      const order = services.map((_, i) => services[(i + round) % services.length]);
      for (const target of [reference, ...order]) {
        const pid = target.child.pid;
        const before = { all: processTicks(pid), main: mainThreadTicks(pid) };
        const redisBefore = redis ? processTicks(redis) : 0;
        const result = await wrkResult(
          startWrk({
            url: target.url + (target === reference ? '/' : SCENARIOS[scenario]),
            script,
            connections: 50,
            seconds: round === 0 ? 2 : seconds,
            headers:
              target.token && scenario === 'me' ? { authorization: `Bearer ${target.token}` } : {},
          }),
        );
        failures += result.non2xx + result.socketErrors;
        if (round === 0) continue;
        const perRequest = (t) => (t * 10_000) / result.requests; // ticks -> µs
        const key = `${scenario}\t${target.name}`;
        if (!series.has(key)) series.set(key, []);
        series.get(key).push({
          rate: result.rate,
          p99: result.latencyMs.p99,
          cpu: perRequest(processTicks(pid) - before.all),
          main: perRequest(mainThreadTicks(pid) - before.main),
          redis: redis ? perRequest(processTicks(redis) - redisBefore) : NaN,
        });
      }
    }
  }
  report(series, builds);
  if (failures > 0) throw new HarnessError(`${failures} non-2xx answers or socket errors`);
}

function report(series, builds) {
  const stat = (runs, field) => {
    const values = runs.map((r) => r[field]);
    return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
  };
  const fmt = ({ median: m, min, max }, digits = 1) =>
    Number.isNaN(m) ? '—' : `${m.toFixed(digits)} (${min.toFixed(digits)}–${max.toFixed(digits)})`;
  console.log(
    '\nscenario  build                 µs CPU/request        main thread µs        Redis µs          req/s (median)  p99 ms  vs first',
  );
  for (const scenario of scenarios) {
    let first;
    for (const name of ['hello (reference)', ...builds.map((b) => b.name)]) {
      const runs = series.get(`${scenario}\t${name}`);
      if (!runs) continue;
      const cpu = stat(runs, 'cpu');
      const change =
        name === 'hello (reference)'
          ? ''
          : first === undefined
            ? ((first = cpu.median), 'base')
            : `${(((cpu.median - first) / first) * 100).toFixed(1)} % CPU`;
      console.log(
        [
          scenario.padEnd(8),
          name.slice(0, 20).padEnd(20),
          fmt(cpu).padEnd(20),
          fmt(stat(runs, 'main')).padEnd(20),
          fmt(stat(runs, 'redis')).padEnd(16),
          String(Math.round(stat(runs, 'rate').median)).padStart(14),
          stat(runs, 'p99').median.toFixed(1).padStart(7),
          change,
        ].join('  '),
      );
    }
  }
}

try {
  await main();
  await cleanup();
} catch (error) {
  log(error instanceof HarnessError ? error.message : (error.stack ?? String(error)));
  await cleanup();
  process.exit(1);
}
