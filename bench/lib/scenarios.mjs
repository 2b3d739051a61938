// One round of each scenario. Every Tessera figure is taken right after its reference in the same
// round (bare Fastify hello, the argon2 bound, the signing bound), so slow drift of a busy machine
// moves both alike.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HarnessError, run, start } from './proc.mjs';
import { refreshPool } from './tessera.mjs';
import { startWrk, wrkResult, wrkScript } from './wrk.mjs';

/** Builds the wrk scripts once per run, into the run's temp dir. */
export function scripts(dir) {
  return {
    plain: wrkScript(dir, 'plain', []),
    probe: wrkScript(dir, 'probe', ['probe.lua']),
    login: wrkScript(dir, 'login', ['common.lua', 'login.lua']),
    refresh: wrkScript(dir, 'refresh', ['common.lua', 'refresh.lua']),
  };
}

const wrk = (options) => wrkResult(startWrk(options));

async function bound(kind, seconds, ctx) {
  const args = ['bench/bounds.mjs', kind, String(seconds), ctx.env.JWT_KEYS_DIR];
  const { stdout } = await run('node', args, { env: ctx.env });
  try {
    return JSON.parse(stdout.trim().split('\n').pop());
  } catch {
    throw new HarnessError(`bench/bounds.mjs ${kind} printed no result: ${stdout.slice(0, 200)}`);
  }
}

/**
 * Reference, GET /auth/me, the calibration app's GET /me (bench/calibration.mjs, with its token
 * cache: what Nest + passport-jwt + one Redis call cost, for comparison, no target), reference,
 * GET /health/live.
 */
export async function throughputRound(ctx, seconds) {
  const { connections, scripts: s, referenceUrl, serviceUrl, accessToken } = ctx;
  const plain = { script: s.plain, connections, seconds };
  const refForMe = await wrk({ ...plain, url: `${referenceUrl}/` });
  const me = await wrk({
    ...plain,
    url: `${serviceUrl}/auth/me`,
    headers: { Authorization: `Bearer ${accessToken}` },
  });
  const calibration = await wrk({
    ...plain,
    url: `${ctx.calibrationUrl}/me`,
    headers: { Authorization: `Bearer ${ctx.calibrationToken}` },
  });
  const refForLive = await wrk({ ...plain, url: `${referenceUrl}/` });
  const live = await wrk({ ...plain, url: `${serviceUrl}/health/live` });
  return { refForMe, me, calibration, refForLive, live };
}

/**
 * The argon2 bound, then the login storm with a light probe of GET /health/live beside it: two
 * connections, each pausing 10 ms between answers (≤ ~200 req/s), so the probe measures how long
 * a cheap request waits while argon2 keeps the thread pool busy, without adding load of its own.
 */
export async function loginRound(ctx, seconds) {
  const argon2 = await bound('argon2', seconds, ctx);
  const users = ctx.loginUsers.map((u) => `${u.username}:${u.password}`).join(',');
  const storm = startWrk({
    url: `${ctx.serviceUrl}/auth/login`,
    script: ctx.scripts.login,
    connections: ctx.connections,
    seconds,
    env: { BENCH_LOGIN_USERS: users },
  });
  const probe = startWrk({
    url: `${ctx.serviceUrl}/health/live`,
    script: ctx.scripts.probe,
    connections: 2,
    seconds,
    env: { BENCH_PROBE_DELAY_MS: '10' },
  });
  const [login, liveDuringLogin] = await Promise.all([wrkResult(storm), wrkResult(probe)]);
  return { argon2, login, liveDuringLogin };
}

/**
 * A fresh pool of sessions (one per connection: each refresh token is good for one rotation, and
 * the last ones of a round are left mid-chain), the signing bound, then the refresh chain.
 */
export async function refreshRound(ctx, seconds, round) {
  const file = join(ctx.workDir, `refresh-tokens-${round}.txt`);
  await refreshPool(ctx.serviceUrl, ctx.refreshUsers, ctx.connections, file);
  const sign = await bound('sign', seconds, ctx);
  const refresh = await wrk({
    url: `${ctx.serviceUrl}/auth/refresh`,
    script: ctx.scripts.refresh,
    connections: ctx.connections,
    seconds,
    env: { BENCH_REFRESH_TOKENS: file },
  });
  return { sign, refresh };
}

/**
 * bench/rotation.sh, unchanged in what it checks: two instances, wrk on GET /auth/me of one, a key
 * rotation in the middle, a probe signing in on one and verifying on the other; 0 failures.
 * Its own process group, so stopping it stops its instances, wrk and probe too (it cleans up).
 */
export async function rotationScenario(ctx, { seconds, rotateAfter, portA, portB }) {
  const json = join(ctx.workDir, 'rotation.json');
  const env = {
    ...process.env,
    BENCH_SKIP_BUILD: '1',
    BENCH_DIST: ctx.env.BENCH_DIST,
    BENCH_DURATION: String(seconds),
    BENCH_ROTATE_AFTER: String(rotateAfter),
    BENCH_PORT_A: String(portA),
    BENCH_PORT_B: String(portB),
    BENCH_JSON: json,
    REDIS_URL: ctx.redisUrl,
  };
  const log = join(ctx.workDir, 'rotation.log');
  const { code } = await start('bash', ['bench/rotation.sh'], { env, logFile: log, group: true })
    .finished;
  if (!existsSync(json)) {
    const tail = readFileSync(log, 'utf8').trim().split('\n').slice(-8).join('\n');
    throw new HarnessError(`bench/rotation.sh exited ${code} without a result:\n${tail}`);
  }
  return { exitCode: code, ...JSON.parse(readFileSync(json, 'utf8')) };
}
