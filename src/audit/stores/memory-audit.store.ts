import { AuditEvent } from '../audit-event';
import { AUDIT_SCAN_WINDOW, AuditQuery, AuditStore, matchesQuery } from '../audit.store';

/** Events a memory store keeps before the oldest are overwritten. */
export const MEMORY_AUDIT_CAPACITY = 10_000;

/** The audit trail of one process: a ring buffer that keeps the newest `capacity` events. */
export class MemoryAuditStore implements AuditStore {
  private readonly ring: AuditEvent[] = [];
  /** Where the next event goes once the ring is full (the oldest slot). */
  private next = 0;

  constructor(private readonly capacity = MEMORY_AUDIT_CAPACITY) {}

  append(event: AuditEvent): Promise<void> {
    if (this.ring.length < this.capacity) {
      this.ring.push(event);
    } else {
      this.ring[this.next] = event;
      this.next = (this.next + 1) % this.capacity;
    }
    return Promise.resolve();
  }

  list(query: AuditQuery): Promise<AuditEvent[]> {
    const found: AuditEvent[] = [];
    const scan = Math.min(this.ring.length, AUDIT_SCAN_WINDOW);
    for (let i = 1; i <= scan && found.length < query.limit; i++) {
      // Walk backwards from the newest slot, which sits just before `next`.
      const event = this.ring[(this.next - i + this.ring.length) % this.ring.length];
      if (matchesQuery(event, query)) found.push(structuredClone(event));
    }
    return Promise.resolve(found);
  }
}
