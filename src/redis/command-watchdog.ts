import type { Redis } from 'ioredis';

/** What the watchdog reads of an ioredis 6 client: the commands written and not yet answered. */
interface QueuedCommand {
  command: { isSettled?: boolean; reject(error: Error): void };
}
interface CommandQueue {
  peekFront(): QueuedCommand | undefined;
  toArray(): QueuedCommand[];
}

/** How often the oldest unanswered command is looked at: a hung Redis fails within timeout + this. */
const TICK_MS = 50;

/**
 * ioredis's `commandTimeout`, once per connection instead of once per command. ioredis arms a
 * timer for every command and clears it on the reply (and `delete`s it from the command, which
 * makes every command a dictionary-mode object): ~15 % of the CPU of an authenticated request
 * (bench/README.md). Redis answers in order, so one question is enough: has the oldest unanswered
 * command been waiting for `timeoutMs`? Then Redis hangs (SIGSTOP, a partition), and every
 * command waiting on this connection is rejected with ioredis's own "Command timed out", which is
 * what opens the store's circuit (fail-closed.ts), so what follows fails at once, as before.
 *
 * A command is refused `timeoutMs` to `timeoutMs + TICK_MS` after it became the oldest one (it is
 * written at most that long before). While the oldest stays unanswered, commands written behind
 * it are refused at the next tick, without waiting a timeout of their own: a Redis half a second
 * behind is treated as hung, and the circuit stops new calls anyway (fail closed, never a wrong
 * answer: a refused command stays queued, and its late reply is dropped by ioredis). For one connection (standalone, Sentinel); a Cluster keeps
 * ioredis's per-command timeout on each node's connection.
 */
export class CommandWatchdog {
  private oldest: QueuedCommand | undefined;
  private since = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly client: Redis,
    private readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.timer = setInterval(() => this.check(), TICK_MS);
    this.timer.unref(); // never what keeps the process alive
  }

  /** One look at the oldest unanswered command (the interval calls it; tests may too). */
  check(): void {
    // ioredis replaces its queue on reconnect: read it each time.
    const queue = (this.client as unknown as { commandQueue?: CommandQueue }).commandQueue;
    const oldest = queue?.peekFront();
    if (oldest !== this.oldest) {
      this.oldest = oldest;
      this.since = this.now();
      return;
    }
    if (!queue || !oldest || this.now() - this.since < this.timeoutMs) return;
    // Redis has not answered the oldest command in time: nothing behind it will be answered
    // sooner. Its reply, if it ever comes, finds the command settled and is dropped by ioredis.
    const error = new Error('Command timed out');
    for (const { command } of queue.toArray()) {
      if (!command.isSettled) command.reject(error);
    }
  }

  dispose(): void {
    clearInterval(this.timer);
  }
}
