import { Inject } from '@nestjs/common';
import { AuditEvent, AuditEventType } from './audit-event';
import { NoiseLimit } from './audit.limits';

/** Which events `AuditStore.list` returns: all filters must match. */
export interface AuditQuery {
  userId?: string;
  event?: AuditEventType;
  /** At most this many events. */
  limit: number;
}

/**
 * The audit trail: append-only and bounded per event type (`AUDIT_RETENTION`: the oldest
 * events of a type fall off), so an attacker who can trigger events cannot grow the store
 * without limit, and noise of one type never evicts events of another.
 */
export interface AuditStore {
  /**
   * Appends `event`. With a `limit`, only the first `limit.perWindow` events with its key in a
   * window are appended; the next one is appended as `summaryOf(event)` and each further one
   * raises that summary's `details.count` instead, atomically across instances.
   */
  append(event: AuditEvent, limit?: NoiseLimit): Promise<void>;
  /**
   * The newest events matching `query`, newest first. Exact over everything the trail keeps:
   * no filter ever looks at only a window of recent events.
   */
  list(query: AuditQuery): Promise<AuditEvent[]>;
}
export const AuditStore = Symbol('AuditStore');
export const InjectAuditStore = () => Inject(AuditStore);
