// From the rounds' raw wrk and bound results to the figures: medians over rounds for rates and
// latencies, sums over rounds for failures (one is too many, wherever it happened).
export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const sum = (values) => values.reduce((a, b) => a + b, 0);

/** Rate, latency and failures of one series of wrk runs. */
function series(runs) {
  return {
    rate: median(runs.map((r) => r.rate)),
    p50: median(runs.map((r) => r.latencyMs.p50)),
    p99: median(runs.map((r) => r.latencyMs.p99)),
    requests: sum(runs.map((r) => r.requests)),
    non2xx: sum(runs.map((r) => r.non2xx)),
    socketErrors: sum(runs.map((r) => r.socketErrors)),
    statuses: runs.map((r) => r.statuses).filter((s) => Object.keys(s).length > 0),
  };
}

/** Tessera's series against its reference series: the ratio is of the two medians. */
function against(tessera, reference) {
  return {
    ...tessera,
    reference: reference.rate,
    referenceP99: reference.p99,
    ratio: tessera.rate / reference.rate,
  };
}

export function computeFigures(rounds, { memory, rotation }) {
  const all = (pick) => rounds.map(pick);
  const probe = series(all((r) => r.login.liveDuringLogin));
  const login = series(all((r) => r.login.login));
  return {
    me: against(series(all((r) => r.throughput.me)), series(all((r) => r.throughput.refForMe))),
    calibration: against(
      series(all((r) => r.throughput.calibration)),
      series(all((r) => r.throughput.refForMe)),
    ),
    live: against(
      series(all((r) => r.throughput.live)),
      series(all((r) => r.throughput.refForLive)),
    ),
    login: {
      ...login,
      reference: median(all((r) => r.login.argon2.rate)),
      ratio: login.rate / median(all((r) => r.login.argon2.rate)),
      probeRate: probe.rate,
      probeP99: probe.p99,
      probeNon2xx: probe.non2xx,
      probeSocketErrors: probe.socketErrors,
    },
    refresh: (() => {
      const refresh = series(all((r) => r.refresh.refresh));
      const bound = median(all((r) => r.refresh.sign.rate));
      return { ...refresh, reference: bound, ratio: refresh.rate / bound };
    })(),
    memory,
    rotation,
  };
}

/**
 * Why the figures cannot be trusted, if they cannot: a non-2xx answer or a socket error means a
 * scenario measured something else than it claims (an error path is cheaper than a 200), whether
 * the harness or the service is at fault. Then the run fails (exit 1) instead of reporting.
 */
export function invalidity(f) {
  const problems = [];
  const check = (name, non2xx, socket, statuses = []) => {
    if (non2xx > 0) problems.push(`${name}: ${non2xx} non-2xx answers ${JSON.stringify(statuses)}`);
    if (socket > 0) problems.push(`${name}: ${socket} socket errors`);
  };
  check('GET /auth/me', f.me.non2xx, f.me.socketErrors, f.me.statuses);
  check('calibration app GET /me', f.calibration.non2xx, f.calibration.socketErrors);
  check('GET /health/live', f.live.non2xx, f.live.socketErrors, f.live.statuses);
  check('POST /auth/login', f.login.non2xx, f.login.socketErrors, f.login.statuses);
  check('GET /health/live during the login storm', f.login.probeNon2xx, f.login.probeSocketErrors);
  check('POST /auth/refresh', f.refresh.non2xx, f.refresh.socketErrors, f.refresh.statuses);
  const r = f.rotation;
  if (r.non2xx + r.socketErrors + r.probe.failures > 0 || r.exitCode !== 0) {
    problems.push(
      `key rotation: ${r.non2xx} non-2xx, ${r.socketErrors} socket errors, ${r.probe.failures} probe failures`,
    );
  }
  return problems;
}
