// The figures as rows (scenario, figure, value, reference, ratio, target, verdict), with issue 8's
// targets, printed to the console and written as JSON, Markdown and an SVG chart of the ratios.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ratioChart } from './chart.mjs';

/** 12345.6 -> "12 346": digits grouped by spaces, as the README's tables write them. */
const num = (n, digits = 0) => {
  if (!Number.isFinite(n)) return 'n/a';
  const [whole, fraction] = n.toFixed(digits).split('.');
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ' ') + (fraction ? `.${fraction}` : '');
};
const ms = (n) => `${num(n, 2)} ms`;
const ratio = (n) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : 'n/a');

/** A target: its text and whether `value` meets it. */
const atLeast = (limit, unit = '×') => ({ text: `≥ ${limit}${unit}`, ok: (v) => v >= limit });
const atMost = (limit, unit) => ({ text: `≤ ${limit} ${unit}`, ok: (v) => v <= limit });
const zero = { text: '0', ok: (v) => v === 0 };

function row(
  scenario,
  figure,
  value,
  shown,
  { reference = '', ratioOf, target, judged = value } = {},
) {
  return {
    scenario,
    figure,
    value,
    shown,
    reference,
    ratio: ratioOf === undefined ? '' : ratio(ratioOf),
    ratioValue: ratioOf ?? null,
    target: target?.text ?? '',
    met: target ? target.ok(judged) : null,
  };
}

/** Failures of one scenario as two rows, both targeted at zero. */
const failures = (scenario, non2xx, socket) => [
  row(scenario, 'non-2xx', non2xx, String(non2xx), { target: zero }),
  row(scenario, 'socket errors', socket, String(socket), { target: zero }),
];

export function buildRows(f) {
  const me = 'GET /auth/me';
  const live = 'GET /health/live';
  const login = 'POST /auth/login';
  const refresh = 'POST /auth/refresh';
  const rot = 'key rotation under load';
  return [
    row(me, 'req/s', f.me.rate, num(f.me.rate), {
      reference: `${num(f.me.reference)} (hello)`,
      ratioOf: f.me.ratio,
      target: atLeast(0.35),
      judged: f.me.ratio,
    }),
    row(me, 'p50', f.me.p50, ms(f.me.p50)),
    row(me, 'p99', f.me.p99, ms(f.me.p99), {
      reference: `${ms(f.me.referenceP99)} (hello)`,
      target: atMost(10, 'ms'),
    }),
    ...failures(me, f.me.non2xx, f.me.socketErrors),
    // For comparison, no target: Nest + passport-jwt + one Redis call (bench/calibration.mjs).
    row('calibration app', 'GET /me req/s', f.calibration.rate, num(f.calibration.rate), {
      reference: `${num(f.calibration.reference)} (hello)`,
      ratioOf: f.calibration.ratio,
    }),
    row(live, 'req/s', f.live.rate, num(f.live.rate), {
      reference: `${num(f.live.reference)} (hello)`,
      ratioOf: f.live.ratio,
      target: atLeast(0.7),
      judged: f.live.ratio,
    }),
    row(live, 'p99', f.live.p99, ms(f.live.p99), {
      reference: `${ms(f.live.referenceP99)} (hello)`,
    }),
    ...failures(live, f.live.non2xx, f.live.socketErrors),
    row(login, 'logins/s', f.login.rate, num(f.login.rate, 1), {
      reference: `${num(f.login.reference, 1)} (argon2 bound)`,
      ratioOf: f.login.ratio,
      target: atLeast(0.9),
      judged: f.login.ratio,
    }),
    row(login, 'p99', f.login.p99, ms(f.login.p99)),
    row(login, 'GET /health/live p99 during the storm', f.login.probeP99, ms(f.login.probeP99), {
      target: atMost(20, 'ms'),
    }),
    ...failures(
      login,
      f.login.non2xx + f.login.probeNon2xx,
      f.login.socketErrors + f.login.probeSocketErrors,
    ),
    row(refresh, 'rotations/s', f.refresh.rate, num(f.refresh.rate), {
      reference: `${num(f.refresh.reference)} (signing bound)`,
      ratioOf: f.refresh.ratio,
      target: atLeast(0.7),
      judged: f.refresh.ratio,
    }),
    row(refresh, 'p99', f.refresh.p99, ms(f.refresh.p99)),
    ...failures(refresh, f.refresh.non2xx, f.refresh.socketErrors),
    row(
      'Tessera process',
      'peak RSS (VmHWM)',
      f.memory.peakRssMb,
      `${num(f.memory.peakRssMb, 1)} MB`,
      { target: atMost(200, 'MB') },
    ),
    row(rot, 'GET /auth/me req/s while a key rotates', f.rotation.rate, num(f.rotation.rate)),
    row(
      rot,
      'failed requests (wrk + cross-instance probe)',
      f.rotation.failed,
      String(f.rotation.failed),
      { reference: `${f.rotation.probe.verified} probe checks`, target: zero },
    ),
  ];
}

const verdict = (r, smoke) => (r.met === null ? '' : smoke ? '—' : r.met ? 'met' : 'NOT met');

export function printTable(rows, smoke) {
  const header = ['scenario', 'figure', 'value', 'reference', 'ratio', 'target', 'verdict'];
  const cells = rows.map((r) => [
    r.scenario,
    r.figure,
    r.shown,
    r.reference,
    r.ratio,
    r.target,
    verdict(r, smoke),
  ]);
  // A smoke run has no goals: no target or verdict columns.
  const shown = smoke ? 5 : 7;
  const widths = header
    .slice(0, shown)
    .map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) =>
    widths
      .map((w, i) => c[i].padEnd(w))
      .join('  ')
      .trimEnd();
  console.log(
    [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n'),
  );
}

function markdown(rows, meta) {
  const head = ['scenario', 'figure', 'value', 'reference', 'ratio', 'target', 'verdict'];
  const esc = (s) => String(s).replace(/\|/g, '\\|');
  const table = [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map(
      (r) =>
        `| ${[r.scenario, r.figure, r.shown, r.reference, r.ratio, r.target, verdict(r, meta.smoke)].map(esc).join(' | ')} |`,
    ),
  ];
  return [
    `# Tessera benchmark, ${meta.date}${meta.smoke ? ' (smoke: no goals)' : ''}`,
    '',
    `Run at ${meta.startedAt} by \`npm run bench\` (bench/run.mjs) on commit \`${meta.commit}\`${meta.dirty ? ' with uncommitted changes in the tree' : ''}.`,
    `Machine: ${meta.machine.cpus} × ${meta.machine.cpuModel}, ${meta.machine.memGb} GiB, Node ${meta.machine.node}${meta.machine.nodeSource ? ` (${meta.machine.nodeSource})` : ''}, ${meta.machine.wrk}; load average (1, 5, 15 min) ${meta.loadBefore} before the run, ${meta.loadAfter} after.`,
    `Settings: ${meta.settings.rounds} interleaved round${meta.settings.rounds === 1 ? '' : 's'} of ${meta.settings.seconds} s per measurement, wrk -t1 -c${meta.settings.connections}, ${meta.settings.algorithm}, UV_THREADPOOL_SIZE=${meta.settings.threadPool}, NODE_ENV=production as \`npm run start:prod\` runs it (\`${meta.settings.runtime}\`) with request logging to a file, Redis ${meta.settings.redis}. Medians over rounds; failures summed over rounds.`,
    ...(meta.note ? ['', `Note: ${meta.note}`] : []),
    '',
    ...table,
    '',
    meta.smoke
      ? 'Smoke run: figures only, no verdicts.'
      : `Targets met: ${rows.filter((r) => r.met).length} of ${rows.filter((r) => r.met !== null).length}.`,
    '',
  ].join('\n');
}

/**
 * Formats like the rest of the repository (`npm run lint` runs `prettier --check .`, which would
 * otherwise refuse a committed results file).
 */
async function formatted(path, text) {
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(path)) ?? {};
  return prettier.format(text, { ...options, filepath: path });
}

/** Writes <dir>/<date>.{json,md,svg}; returns the paths. */
export async function writeResults(dir, rows, figures, rounds, meta) {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, meta.date);
  const targets = Object.fromEntries(
    rows
      .filter((r) => r.met !== null)
      .map((r) => [
        `${r.scenario}: ${r.figure}`,
        { value: r.value, target: r.target, met: meta.smoke ? null : r.met },
      ]),
  );
  const json = JSON.stringify({ meta, figures, targets, rows, rounds }, null, 2);
  writeFileSync(`${base}.json`, await formatted(`${base}.json`, json));
  writeFileSync(`${base}.md`, await formatted(`${base}.md`, markdown(rows, meta)));
  writeFileSync(
    `${base}.svg`,
    ratioChart(
      rows.filter((r) => r.ratioValue !== null),
      meta,
    ),
  );
  return [`${base}.json`, `${base}.md`, `${base}.svg`];
}
