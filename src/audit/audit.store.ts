import { Inject } from '@nestjs/common';
import { AuditEvent, AuditEventType } from './audit-event';

/** Which events `AuditStore.list` returns: all filters must match. */
export interface AuditQuery {
  userId?: string;
  event?: AuditEventType;
  /** At most this many events. */
  limit: number;
}

/**
 * The audit trail: append-only and bounded (the oldest events fall off), so an attacker who can
 * trigger events cannot grow the store without limit.
 */
export interface AuditStore {
  append(event: AuditEvent): Promise<void>;
  /**
   * The newest events matching `query`, newest first. Only the newest `AUDIT_SCAN_WINDOW` events
   * are searched, so a filter that matches nothing costs a bounded amount of work.
   */
  list(query: AuditQuery): Promise<AuditEvent[]>;
}
export const AuditStore = Symbol('AuditStore');
export const InjectAuditStore = () => Inject(AuditStore);

/** How many of the newest events a filtered listing looks at, at most. */
export const AUDIT_SCAN_WINDOW = 5_000;

/** Whether `event` passes the filters of `query`. */
export function matchesQuery(event: AuditEvent, query: AuditQuery): boolean {
  if (query.userId !== undefined && event.userId !== query.userId) return false;
  return query.event === undefined || event.event === query.event;
}
