import { randomFill } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * The nice value of libuv's thread pool threads: argon2 hashes (and async fs, dns, crypto) run
 * there. The event loop thread keeps the process's own priority.
 */
export const THREAD_POOL_NICENESS = 10;

/** The process's thread ids (Linux); empty where /proc does not list them. */
function threadIds(): Set<number> {
  try {
    return new Set(readdirSync('/proc/self/task').map(Number));
  } catch {
    return new Set();
  }
}

/**
 * Starts libuv's thread pool and lowers its threads' priority, so a login storm (argon2 on every
 * core) never keeps the event loop from a core: on a machine with as many busy argon2 threads as
 * cores, the scheduler otherwise shares each core between them and the event loop on equal
 * terms, and every other request waits out their time slices (GET /health/live p99 ~33 ms
 * during a storm on 2 cores; bench/README.md). At nice 10 a hash still takes every cycle the
 * event loop leaves idle.
 *
 * Linux only (a thread's nice value is its own there; `setPriority(tid)` sets one thread's).
 * libuv creates all the pool's threads at its first task and waits until they run, so the
 * threads that appear across one pooled task are the pool. Call it before anything else uses the
 * pool; it returns how many threads it lowered (0 elsewhere, or if the pool had already started).
 */
export async function lowerThreadPoolPriority(niceness = THREAD_POOL_NICENESS): Promise<number> {
  const before = threadIds();
  if (before.size === 0) return 0;
  await new Promise<void>((resolve, reject) =>
    randomFill(Buffer.alloc(1), (error) => (error ? reject(error) : resolve())),
  );
  let lowered = 0;
  for (const tid of threadIds()) {
    if (before.has(tid)) continue;
    try {
      setPriority(tid, niceness);
      lowered++;
    } catch {
      // Gone already, or not ours to change: the pool then runs at the process's priority.
    }
  }
  return lowered;
}
