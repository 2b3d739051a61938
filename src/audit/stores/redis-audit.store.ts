import { FailClosed } from '../../redis/fail-closed';
import { RedisClient } from '../../redis/redis.scripts';
import { AuditEvent } from '../audit-event';
import { AUDIT_SCAN_WINDOW, AuditQuery, AuditStore, matchesQuery } from '../audit.store';

/** Events the stream keeps, approximately (MAXLEN ~ trims whole stream nodes, which is cheap). */
export const REDIS_AUDIT_MAX_LEN = 100_000;

/** XREVRANGE page size while scanning for matches. */
const PAGE = 500;

/*
 * Key layout (under the configured prefix):
 *   audit:stream   STREAM  one entry per event, field `event` = the event as JSON
 * Stream ids only order entries; the event's own id (a UUIDv7) is what the API shows, so the log
 * line written before the XADD and the stored event carry the same id.
 */
const STREAM_KEY = 'audit:stream';
const FIELD = 'event';

/** The audit trail in a capped Redis Stream, shared by every instance. */
@FailClosed()
export class RedisAuditStore implements AuditStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly maxLen = REDIS_AUDIT_MAX_LEN,
  ) {}

  async append(event: AuditEvent): Promise<void> {
    await this.redis.xadd(
      STREAM_KEY,
      'MAXLEN',
      '~',
      this.maxLen,
      '*',
      FIELD,
      JSON.stringify(event),
    );
  }

  async list(query: AuditQuery): Promise<AuditEvent[]> {
    const found: AuditEvent[] = [];
    let end = '+';
    for (let scanned = 0; scanned < AUDIT_SCAN_WINDOW && found.length < query.limit;) {
      const count = Math.min(PAGE, AUDIT_SCAN_WINDOW - scanned);
      const entries = await this.redis.xrevrange(STREAM_KEY, end, '-', 'COUNT', count);
      for (const [, fields] of entries) {
        const event = parseEvent(fields);
        if (event && matchesQuery(event, query) && found.length < query.limit) found.push(event);
      }
      if (entries.length < count) break;
      scanned += entries.length;
      end = `(${entries[entries.length - 1][0]}`; // exclusive: continue below the last one seen
    }
    return found;
  }
}

/** The event of a stream entry; null for an entry that is not ours (skipped, not a 500). */
function parseEvent(fields: string[]): AuditEvent | null {
  const index = fields.indexOf(FIELD);
  if (index < 0 || index % 2 !== 0) return null;
  try {
    return JSON.parse(fields[index + 1]) as AuditEvent;
  } catch {
    return null;
  }
}
