import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { AuditEventType } from '../audit/audit-event';
import { AuditService } from '../audit/audit.service';
import { InjectRootLogger } from '../common/logging/root-logger';
import { mailConfig, MailConfig } from '../config/configuration';
import { OutgoingMail } from './mail-message';
import { InjectMailTransport, MailTransport, PermanentMailError } from './mail-transport';
import { retryDelayMs } from './retry-backoff';

/** Mails sent at the same time at most: a burst of sign-ups must not open a connection each. */
const CONCURRENCY = 2;
/** How long shutdown waits for the mails being sent right then (never for queued ones). */
const SHUTDOWN_GRACE_MS = 2000;

interface Job {
  mail: OutgoingMail;
  attempts: number;
}

/**
 * Sends mails in the background: `enqueue` returns at once and never throws, so no request waits
 * on a relay or fails because of it. A failed send is retried after `retryDelayMs`, doubling each
 * time (with jitter, so a relay coming back is not hit by every mail at once; an hour at most), up
 * to `maxAttempts`; then it is logged and audited as MAIL_FAILED. A permanent failure (a 5xx
 * reply, no relay) is given up at once. At most `queueSize` mails are pending (waiting, in flight
 * or waiting for a retry); beyond that a new mail is dropped the same way, so a relay that is down
 * cannot make the queue eat the heap. Log lines and audit events name the mail's kind and user,
 * never its address, text or link (which holds a token).
 *
 * The queue lives in the process: at shutdown the mails being sent get a moment to finish, queued
 * ones are lost (logged). A flow whose mail is lost can be started again (resend), which is what a
 * user does with a mail that never came.
 */
@Injectable()
export class MailQueue implements OnApplicationShutdown {
  private readonly ready: Job[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private pending = 0;
  private readonly sending = new Set<Promise<void>>();
  private closed = false;
  private readonly logger: Logger;
  /** Settles when the queue is empty; for tests and shutdown. */
  private idleWaiters: (() => void)[] = [];

  constructor(
    @Inject(mailConfig.KEY) private readonly config: MailConfig,
    @InjectMailTransport() private readonly transport: MailTransport,
    private readonly audit: AuditService,
    @InjectRootLogger() root: Logger,
  ) {
    this.logger = root.child({ context: 'Mail' });
  }

  /** Queues a mail; false when it was dropped (queue full or shutting down), already reported. */
  enqueue(mail: OutgoingMail): boolean {
    if (this.closed || this.pending >= this.config.queueSize) {
      this.giveUp({ mail, attempts: 0 }, this.closed ? 'shutting down' : 'queue full');
      return false;
    }
    this.pending++;
    this.ready.push({ mail, attempts: 0 });
    this.pump();
    return true;
  }

  /** Mails accepted and not yet sent or given up. */
  get size(): number {
    return this.pending;
  }

  /** Resolves once every pending mail is sent or given up. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Lets the mails being sent finish (a little while at most); queued ones are lost, logged. */
  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const unsent = this.pending - this.sending.size;
    if (unsent > 0)
      this.logger.warn({ pending: unsent }, 'Shutting down: queued mails are not sent');
    let grace: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>(
      (resolve) => (grace = setTimeout(resolve, SHUTDOWN_GRACE_MS)),
    );
    await Promise.race([Promise.allSettled(this.sending), timeout]);
    clearTimeout(grace);
    this.transport.close();
  }

  private pump(): void {
    while (!this.closed && this.sending.size < CONCURRENCY && this.ready.length > 0) {
      const sent: Promise<void> = this.attempt(this.ready.shift()!).finally(() => {
        this.sending.delete(sent);
        this.pump();
      });
      this.sending.add(sent);
    }
  }

  private async attempt(job: Job): Promise<void> {
    job.attempts++;
    try {
      await this.transport.send(job.mail.message);
      this.logger.info({ mail: job.mail.kind, userId: job.mail.userId }, 'Mail sent');
      this.settle();
    } catch (error) {
      if (this.closed) return;
      const reason = reasonOf(error);
      if (job.attempts >= this.config.maxAttempts || isPermanent(error)) {
        return this.giveUp(job, reason, true);
      }
      const delayMs = retryDelayMs(this.config.retryDelayMs, job.attempts);
      const { kind, userId } = job.mail;
      this.logger.warn(
        { mail: kind, userId, attempt: job.attempts, reason, retryInMs: delayMs },
        'Mail not sent; retrying',
      );
      this.later(job, delayMs);
    }
  }

  private later(job: Job, delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.ready.push(job);
      this.pump();
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  private giveUp(job: Job, reason: string, counted = false): void {
    const { kind, userId } = job.mail;
    this.logger.error({ mail: kind, userId, attempts: job.attempts, reason }, 'Mail given up');
    this.audit.record({
      event: AuditEventType.MailFailed,
      userId,
      details: { mail: kind, attempts: job.attempts, reason },
    });
    if (counted) this.settle();
  }

  private settle(): void {
    this.pending--;
    if (this.pending > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/**
 * A failure retrying cannot mend: no relay, or a permanent SMTP reply (5xx, RFC 5321 4.2.1: e.g.
 * 550 no such mailbox). Retrying it would only send the relay the same mail again and again.
 */
function isPermanent(error: unknown): boolean {
  if (error instanceof PermanentMailError) return true;
  const { responseCode } = (error ?? {}) as { responseCode?: unknown };
  return typeof responseCode === 'number' && responseCode >= 500;
}

/**
 * What went wrong, safe to log: nodemailer's error code and the SMTP reply code, never the
 * message (a relay's reply may quote the envelope).
 */
function reasonOf(error: unknown): string {
  const { code, responseCode } = (error ?? {}) as { code?: unknown; responseCode?: unknown };
  const parts = [code, responseCode].filter((p) => typeof p === 'string' || typeof p === 'number');
  if (parts.length > 0) return parts.join(' ');
  return error instanceof Error ? error.name : 'unknown error';
}
