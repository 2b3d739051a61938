// Every exit path of a run stops what it started and removes what it made: the normal end, a
// failure, SIGINT/SIGTERM and the global timeout all go through cleanup(), once.
import { killAllNow, stopAll } from './proc.mjs';

export const log = (message) => console.error(`[bench] ${message}`);

const tasks = [];
let cleaned;
let aborting = false;

/** True once a signal or the timeout has started stopping the run: later errors are its echo. */
export const isAborting = () => aborting;

/** Adds a cleanup step; steps run in reverse order, after every child process is stopped. */
export function onCleanup(task) {
  tasks.push(task);
}

export function cleanup() {
  cleaned ??= (async () => {
    await stopAll();
    for (const task of tasks.reverse()) {
      try {
        await task();
      } catch (error) {
        log(`cleanup: ${error.message}`);
      }
    }
  })();
  return cleaned;
}

async function abort(message, code) {
  aborting = true;
  log(message);
  await cleanup();
  process.exit(code);
}

/** Signals and a time budget for the whole run (build included). */
export function guardRun(budgetSeconds) {
  process.once('SIGINT', () => void abort('interrupted: stopping what was started', 130));
  process.once('SIGTERM', () => void abort('terminated: stopping what was started', 143));
  process.on('exit', killAllNow); // last resort: nothing outlives us, whatever happened
  const timeout = `timeout: the run took over ${Math.round(budgetSeconds)} s`;
  setTimeout(() => void abort(timeout, 1), budgetSeconds * 1000).unref();
}
