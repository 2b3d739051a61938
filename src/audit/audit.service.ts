import { Injectable, Optional } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service';
import type { Logger } from 'pino';
import { AUDIT_REDACTED_PATHS } from '../common/logging/log-policy';
import { InjectRootLogger } from '../common/logging/root-logger';
import { uuidv7 } from '../common/crypto/ids';
import { currentRequest } from '../common/request-context/request-context';
import { Clock, InjectClock } from '../common/time/clock';
import { AUDIT_SEVERITY, AuditEvent, AuditInput, AuditSeverity } from './audit-event';
import { noiseLimitOf } from './audit.limits';
import { AuditQuery, AuditStore, InjectAuditStore } from './audit.store';

const LOG_LEVEL: Record<AuditSeverity, 'info' | 'warn' | 'error'> = {
  info: 'info',
  warning: 'warn',
  critical: 'error',
};

/**
 * Records audit events: one structured log line at once, and an asynchronous append to the
 * audit store. Callers never wait on the trail and never fail because of it: a request that
 * succeeded must not turn into an error (or slow down) because the audit write did. The log line
 * is the durable copy while the store is down, and keeps every event: the store rate-limits
 * noise that anyone can cause (`noiseLimitOf`) so that it never hides or evicts the rest.
 */
@Injectable()
export class AuditService {
  /** Events the store refused since it last accepted one (reported once, not per event). */
  private dropped = 0;
  private readonly logger: Logger;

  constructor(
    @InjectAuditStore() private readonly store: AuditStore,
    @InjectClock() private readonly clock: Clock,
    @InjectRootLogger() root: Logger,
    // Absent in the keys CLI, which serves no metrics.
    @Optional() private readonly metrics?: MetricsService,
  ) {
    // Its own redaction: the same secrets caught, by exact paths instead of wildcards.
    this.logger = root.child(
      { context: 'Audit' },
      { redact: { paths: AUDIT_REDACTED_PATHS, censor: '[redacted]' } },
    );
  }

  /** Records one event; ip and request id default to the current request's. */
  record(input: AuditInput): void {
    try {
      const event = this.toEvent(input);
      this.logger[LOG_LEVEL[event.severity]]({ audit: event }, `audit ${event.event}`);
      this.metrics?.countAuditEvent(event.event);
      this.store.append(event, noiseLimitOf(event)).then(
        () => this.appended(),
        (error: unknown) => this.refused(error),
      );
    } catch (error) {
      this.refused(error);
    }
  }

  /** The newest matching events, newest first. */
  list(query: AuditQuery): Promise<AuditEvent[]> {
    return this.store.list(query);
  }

  private toEvent(input: AuditInput): AuditEvent {
    const now = this.clock.now();
    const request = currentRequest();
    return {
      id: uuidv7(now),
      time: new Date(now).toISOString(),
      event: input.event,
      severity: AUDIT_SEVERITY[input.event],
      userId: input.userId ?? null,
      ip: input.ip ?? request?.ip ?? null,
      requestId: request?.requestId ?? null,
      details: { ...input.details },
    };
  }

  private appended(): void {
    if (this.dropped === 0) return;
    this.logger.warn({ dropped: this.dropped }, 'Audit store accepts events again');
    this.dropped = 0;
  }

  private refused(error: unknown): void {
    if (this.dropped++ > 0) return;
    // Name and message only: an ioredis error carries the command's arguments (the event).
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.logger.warn({ reason }, 'Audit store refused an event; events are in the log only');
  }
}
