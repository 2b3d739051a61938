import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { InjectRootLogger } from '../../common/logging/root-logger';

/** How long shutdown waits for the work of requests answered before it. */
const SHUTDOWN_GRACE_MS = 2000;

/**
 * Runs the part of a mail flow that comes after the answer (look-up, token, mail, audit event),
 * so the answer is the same, in the same time, whatever happens here; a failure is logged, never
 * thrown. Shutdown waits for the work in flight (a little while at most): before it, no hook has
 * closed the store or the mail queue yet, so a request answered 202 just before a deploy still
 * gets its mail queued and its audit event written.
 */
@Injectable()
export class BackgroundWork implements BeforeApplicationShutdown {
  private readonly running = new Set<Promise<void>>();
  private readonly logger: Logger;

  constructor(@InjectRootLogger() root: Logger) {
    this.logger = root.child({ context: 'MailFlow' });
  }

  /** Starts `work`; a failure is logged to `logger` as `failure`, with the error's name only. */
  run(logger: Logger, failure: string, work: () => Promise<void>): void {
    const done: Promise<void> = work()
      .catch((error: unknown) => {
        // Name only: a store error may quote its command, never a token or address here.
        const reason = error instanceof Error ? error.name : 'unknown error';
        logger.error({ reason }, failure);
      })
      .finally(() => this.running.delete(done));
    this.running.add(done);
  }

  /** Resolves once the work in flight is done, or after SHUTDOWN_GRACE_MS (logged). */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), SHUTDOWN_GRACE_MS);
    });
    const settled = Promise.allSettled([...this.running]).then(() => true);
    const finished = await Promise.race([settled, grace]);
    clearTimeout(timer);
    if (!finished) {
      this.logger.warn({ pending: this.running.size }, 'Shutting down: mail flow work cut short');
    }
  }
}
