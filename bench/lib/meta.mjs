// What a reader of a results file needs to judge it: when, which commit, which machine, how busy.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';

/** The 1, 5 and 15 minute load averages. */
export const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

export function runMeta(startedAt, { smoke, note, settings, wrk, node, loadBefore }) {
  const git = (...args) => execFileSync('git', args, { encoding: 'utf8' }).trim();
  return {
    date: startedAt.toISOString().slice(0, 10),
    startedAt: startedAt.toISOString(),
    smoke,
    commit: git('rev-parse', '--short', 'HEAD'),
    dirty: git('status', '--porcelain', '--untracked-files=no') !== '',
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memGb: Math.round(totalmem() / 2 ** 30),
      node: node.version,
      nodeSource: node.source,
      wrk,
    },
    note,
    settings,
    loadBefore,
    loadAfter: loadAverage(),
  };
}
