// `npm run bench`: Tessera against references measured in the same run (issue 8). See
// bench/README.md for what each scenario measures and how to read the results.
//
//   npm run bench                     full run: 5 rounds, writes bench/results/<date>.{json,md,svg}
//   npm run bench -- --smoke          every scenario for a second or two, no goals, nothing kept
//   options: --rounds N  --seconds S  --connections C  --skip-build  --out DIR  --keep
//            --timeout SECONDS  --note "text for the results file"
//            --node auto|current|PATH   (auto: the running Node if package.json's engines allow it,
//                                        else the .nvmrc LTS from the npm registry, cached)
//
// Exit 0 when the run completed, whether or not its targets were met (the verdicts say). Exit 1
// when the harness could not measure: a build or start-up failure, wrk missing or failing, or any
// non-2xx answer or socket error in any scenario (then the figures describe an error path, not
// the one they name: nothing is written to bench/results). 130/143 on SIGINT/SIGTERM.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { computeFigures, invalidity } from './lib/figures.mjs';
import { cleanup, guardRun, isAborting, log, onCleanup } from './lib/lifecycle.mjs';
import { loadAverage, runMeta } from './lib/meta.mjs';
import { resolveNode } from './lib/node-runtime.mjs';
import { freePorts, HarnessError, run, sleep, start, stop, waitForHttp } from './lib/proc.mjs';
import { buildRows, printTable, writeResults } from './lib/report.mjs';
import * as scenario from './lib/scenarios.mjs';
import * as tessera from './lib/tessera.mjs';
import { requireWrk, wrkVersion } from './lib/wrk.mjs';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
process.chdir(ROOT);

const { values: args } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    connections: { type: 'string', default: '50' },
    'skip-build': { type: 'boolean', default: process.env.BENCH_SKIP_BUILD === '1' },
    out: { type: 'string' },
    keep: { type: 'boolean', default: false },
    timeout: { type: 'string' },
    note: { type: 'string', default: '' },
    node: { type: 'string', default: process.env.BENCH_NODE ?? 'auto' },
  },
});
const smoke = args.smoke;
const settings = {
  rounds: Number(args.rounds ?? (smoke ? 1 : 5)),
  seconds: Number(args.seconds ?? (smoke ? 1 : 5)), // wrk takes whole seconds
  // In smoke mode login gets 2 s: at ~80 logins a second and 50 in flight, 1 s shows too few.
  loginSeconds: Number(args.seconds ?? (smoke ? 2 : 5)),
  warmupSeconds: smoke ? 0 : 2,
  connections: Number(args.connections),
  rotation: smoke ? { seconds: 4, rotateAfter: 1 } : { seconds: 12, rotateAfter: 3 },
  threadPool: Number(process.env.UV_THREADPOOL_SIZE ?? 4),
};
const perRound = 7 * settings.seconds + 2 * settings.loginSeconds + 30;
const budget = args.timeout ?? (smoke ? 360 : 300 + (settings.rounds + 1) * perRound * 1.5);
guardRun(Number(budget));

async function prepare(workDir, node) {
  const dist = tessera.snapshotBuild(ROOT, workDir, node.modules);
  const redisUrl = tessera.loopbackRedisUrl();
  const [servicePort, referencePort, portA, portB, calibrationPort] = await freePorts(5);
  const { threadPool } = settings;
  const runtime = tessera.productionRuntime(ROOT);
  const env = {
    ...tessera.serviceEnv({ port: servicePort, workDir, redisUrl, threadPool, runtime }),
  };
  env.BENCH_DIST = dist;
  onCleanup(async () => {
    const deleted = await tessera.deleteRedisKeys(redisUrl, env.REDIS_KEY_PREFIX);
    log(`deleted the ${deleted} Redis keys of this run`);
  });
  await tessera.createFirstKey(env, dist);
  return {
    workDir,
    env,
    runtime,
    redisUrl,
    rotationPorts: { portA, portB },
    connections: settings.connections,
    scripts: scenario.scripts(workDir),
    referencePort,
    referenceUrl: `http://127.0.0.1:${referencePort}`,
    calibrationPort,
    calibrationUrl: `http://127.0.0.1:${calibrationPort}`,
    serviceUrl: `http://127.0.0.1:${servicePort}`,
  };
}

async function startReference(ctx) {
  const reference = start('node', ['bench/reference.mjs', String(ctx.referencePort)], {
    logFile: join(ctx.workDir, 'reference.log'),
  });
  await waitForHttp(`${ctx.referenceUrl}/`, reference, 15_000, 'the Fastify reference');
  return reference;
}

/**
 * The calibration app (bench/calibration.mjs, with its token cache), on this run's Redis under its
 * own prefix (it deletes its key when stopped); it writes its access token to a file at start.
 */
async function startCalibration(ctx) {
  const tokenFile = join(ctx.workDir, 'calibration-token');
  const calibration = start(
    'node',
    ['bench/calibration.mjs', String(ctx.calibrationPort), tokenFile],
    {
      env: { ...process.env, REDIS_URL: ctx.redisUrl, TOKEN_CACHE: '1' },
      logFile: join(ctx.workDir, 'calibration.log'),
    },
  );
  const deadline = Date.now() + 30_000;
  while (!existsSync(tokenFile) && Date.now() < deadline) await sleep(100);
  ctx.calibrationToken = existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8') : '';
  await waitForHttp(`${ctx.calibrationUrl}/me`, calibration, 30_000, 'the calibration app', {
    authorization: `Bearer ${ctx.calibrationToken}`,
  });
  return calibration;
}

async function prepareUsers(ctx) {
  const register = (role, count) => tessera.registerUsers(ctx.serviceUrl, role, count);
  ctx.meUsers = await register('me', 1);
  // Distinct users per scenario: a login past MAX_SESSIONS_PER_USER (50) ends that user's least
  // recently used session, so the storm must never touch the sessions the others hold; and enough
  // storm users that most logins, as in life, do not evict one.
  ctx.loginUsers = await register('login', 32);
  ctx.refreshUsers = await register('refresh', 10);
}

async function oneRound(ctx, seconds, loginSeconds, index) {
  // A fresh access token each round: a long run must not outlive JWT_ACCESS_TTL.
  ctx.accessToken = (await tessera.signIn(ctx.serviceUrl, ctx.meUsers, 1))[0].access_token;
  const rate = (r) => r.rate.toFixed(0);
  // Memory after each phase, so a peak can be traced to the scenario that made it.
  const memory = {};
  const t = await scenario.throughputRound(ctx, seconds);
  memory.afterThroughput = tessera.memoryOf(ctx.servicePid);
  log(`  /auth/me ${rate(t.me)} req/s vs hello ${rate(t.refForMe)}`);
  log(`  calibration app ${rate(t.calibration)} req/s`);
  log(`  /health/live ${rate(t.live)} req/s vs hello ${rate(t.refForLive)}`);
  const login = await scenario.loginRound(ctx, loginSeconds);
  memory.afterLogin = tessera.memoryOf(ctx.servicePid);
  log(`  login ${login.login.rate.toFixed(1)}/s vs argon2 bound ${login.argon2.rate.toFixed(1)}/s`);
  log(`  /health/live p99 during the storm ${login.liveDuringLogin.latencyMs.p99} ms`);
  const refresh = await scenario.refreshRound(ctx, seconds, index);
  memory.afterRefresh = tessera.memoryOf(ctx.servicePid);
  log(`  refresh ${rate(refresh.refresh)}/s vs signing bound ${rate(refresh.sign)}/s`);
  log(`  peak RSS so far ${memory.afterRefresh.peakRssMb.toFixed(0)} MB`);
  return { throughput: t, login, refresh, memory };
}

/** Warm-up, then the measured rounds; peak RSS at the end. Stops both servers. */
async function measure(ctx) {
  const reference = await startReference(ctx);
  const calibration = await startCalibration(ctx);
  const service = await tessera.startTessera(ctx);
  ctx.servicePid = service.pid;
  log(`Tessera pid ${service.pid} on ${ctx.serviceUrl}, reference pid ${reference.pid}`);
  await prepareUsers(ctx);
  if (settings.warmupSeconds > 0) {
    log(`warm-up (${settings.warmupSeconds} s per measurement, not counted)`);
    await oneRound(ctx, settings.warmupSeconds, settings.warmupSeconds, 'warmup');
  }
  const rounds = [];
  for (let i = 1; i <= settings.rounds; i++) {
    log(`round ${i}/${settings.rounds}`);
    rounds.push(await oneRound(ctx, settings.seconds, settings.loginSeconds, i));
  }
  const memory = tessera.memoryOf(service.pid);
  await Promise.all([stop(service), stop(reference), stop(calibration)]);
  return { rounds, memory };
}

async function report(figures, rounds, meta, workDir) {
  const rows = buildRows(figures);
  console.log('');
  printTable(rows, smoke);
  const problems = invalidity(figures);
  if (problems.length > 0) {
    throw new HarnessError(
      `the figures are not valid, nothing written:\n  ${problems.join('\n  ')}`,
    );
  }
  const outDir = args.out ?? (smoke ? join(workDir, 'results') : join(ROOT, 'bench', 'results'));
  const files = await writeResults(outDir, rows, figures, rounds, meta);
  const where = files.map((f) => f.replace(`${ROOT}/`, '')).join(', ');
  console.log(
    `\nwrote ${where}${outDir.startsWith(workDir) ? ' (temp dir, removed at exit)' : ''}`,
  );
  if (smoke) return;
  const judged = rows.filter((r) => r.met !== null);
  const missed = judged.filter((r) => !r.met);
  console.log(`targets met: ${judged.length - missed.length} of ${judged.length}`);
  for (const r of missed)
    console.log(`  NOT met: ${r.scenario}, ${r.figure}: ${r.shown} (${r.target})`);
}

async function main() {
  const startedAt = new Date();
  const loadBefore = loadAverage();
  await requireWrk();
  if (!args['skip-build']) {
    log('building (npm run build)');
    await run('npm', ['run', '-s', 'build']);
  }
  const node = await resolveNode(ROOT, args.node, log);
  // Every child that runs `node` (service, reference, bounds, keys CLI, rotation.sh) runs this one.
  process.env.PATH = `${dirname(node.bin)}:${process.env.PATH}`;
  log(`Node ${node.version} (${node.source})`);
  const workDir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
  if (args.keep) log(`keeping ${workDir}`);
  else onCleanup(() => rmSync(workDir, { recursive: true, force: true }));
  const ctx = await prepare(workDir, node);
  const { rounds, memory } = await measure(ctx);

  log('key rotation under load (bench/rotation.sh)');
  const rotation = await scenario.rotationScenario(ctx, {
    ...settings.rotation,
    ...ctx.rotationPorts,
  });
  rotation.failed = rotation.non2xx + rotation.socketErrors + rotation.probe.failures;

  const { alg, key } = rounds[0].refresh.sign;
  const redis = ctx.redisUrl.replace(/\/\/[^@]*@/, '//'); // never a password in a results file
  const meta = runMeta(startedAt, {
    smoke,
    note: args.note,
    settings: {
      ...settings,
      algorithm: `${alg} (${key})`,
      redis,
      runtime: [
        ...Object.entries(ctx.runtime.env).map(([name, value]) => `${name}=${value}`),
        `node ${ctx.runtime.nodeArgs.join(' ')}`,
      ].join(' '),
    },
    wrk: await wrkVersion(),
    node,
    loadBefore,
  });
  await report(computeFigures(rounds, { memory, rotation }), rounds, meta, workDir);
}

let code = 0;
try {
  await main();
} catch (error) {
  code = 1;
  if (!isAborting())
    log(
      error instanceof HarnessError ? `harness failure: ${error.message}` : (error.stack ?? error),
    );
} finally {
  await cleanup();
}
process.exit(code);
