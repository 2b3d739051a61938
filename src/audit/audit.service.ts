import { Injectable, Logger } from '@nestjs/common';
import { AuditInput } from './audit-event';

/**
 * Records audit events. Callers never wait on the trail and never fail because of it: a request
 * that succeeded must not turn into an error because the audit write did.
 */
@Injectable()
export class AuditService {
  private readonly logger = new Logger('Audit');

  /** Records one event (structured log now; the store-backed trail is wired in AuditModule). */
  record(input: AuditInput): void {
    this.logger.log({ audit: true, ...input, userId: input.userId ?? null, ip: input.ip ?? null });
  }
}
