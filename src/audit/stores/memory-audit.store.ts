import { AuditEvent, AuditEventType } from '../audit-event';
import { AUDIT_RETENTION, AuditRetention, NoiseLimit, summaryOf } from '../audit.limits';
import { AuditQuery, AuditStore } from '../audit.store';

/** An event as kept: its place in the order of appends, and whether it has fallen off. */
interface Kept {
  seq: number;
  event: AuditEvent;
  gone: boolean;
}

/** One key's open window of a rate-limited event. */
interface NoiseWindow {
  end: number;
  count: number;
  summary?: Kept;
}

/**
 * The audit trail of one process: per event type, the newest `retention[type]` anonymous events
 * and the newest `retention[type]` events of users (the same bounds and the same rate limiting as
 * the Redis driver).
 */
export class MemoryAuditStore implements AuditStore {
  private seq = 0;
  /** Per type, the kept events apart for anonymous ones and users' (each its own retention). */
  private readonly byType = new Map<AuditEventType, { anonymous: Kept[]; users: Kept[] }>();
  /** Open windows in the order they opened; ended ones are dropped as time passes. */
  private readonly windows = new Map<string, NoiseWindow>();

  constructor(private readonly retention: AuditRetention = AUDIT_RETENTION) {}

  append(event: AuditEvent, limit?: NoiseLimit): Promise<void> {
    if (!limit) {
      this.keep(event);
      return Promise.resolve();
    }
    const window = this.windowOf(limit, Date.parse(event.time));
    if (++window.count <= limit.perWindow) {
      this.keep(event);
    } else if (window.summary && !window.summary.gone) {
      (window.summary.event.details.count as number)++;
    } else {
      window.summary = this.keep(summaryOf(event, limit));
    }
    return Promise.resolve();
  }

  list(query: AuditQuery): Promise<AuditEvent[]> {
    const types = query.event === undefined ? [...this.byType.keys()] : [query.event];
    const found = types.flatMap((type) => {
      const kept = this.byType.get(type);
      return kept ? [...newest(kept.anonymous, query), ...newest(kept.users, query)] : [];
    });
    found.sort((a, b) => b.seq - a.seq);
    return Promise.resolve(found.slice(0, query.limit).map((kept) => structuredClone(kept.event)));
  }

  private keep(event: AuditEvent): Kept {
    const kept = { seq: ++this.seq, event, gone: false };
    const byKind = this.byType.get(event.event) ?? { anonymous: [], users: [] };
    this.byType.set(event.event, byKind);
    // Anonymous noise never evicts a user's history (see audit_append.lua).
    const events = event.userId === null ? byKind.anonymous : byKind.users;
    events.push(kept);
    const over = events.length - this.retention[event.event];
    if (over > 0) for (const old of events.splice(0, over)) old.gone = true;
    return kept;
  }

  /** The window of `limit.key` open at `now`, a new one if it had none or it ended. */
  private windowOf(limit: NoiseLimit, now: number): NoiseWindow {
    // Windows of one length open in time order, so the ended ones are at the front.
    for (const [key, open] of this.windows) {
      if (open.end > now) break;
      this.windows.delete(key);
    }
    let window = this.windows.get(limit.key);
    if (!window || window.end <= now) {
      this.windows.delete(limit.key);
      window = { end: now + limit.windowMs, count: 0 };
      this.windows.set(limit.key, window);
    }
    return window;
  }
}

/** The newest `query.limit` events of one type's list that match the user filter. */
function newest(events: Kept[], query: AuditQuery): Kept[] {
  const found: Kept[] = [];
  for (let i = events.length - 1; i >= 0 && found.length < query.limit; i--) {
    if (query.userId === undefined || events[i].event.userId === query.userId)
      found.push(events[i]);
  }
  return found;
}
