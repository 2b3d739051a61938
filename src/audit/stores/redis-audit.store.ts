import { FailClosed } from '../../redis/fail-closed';
import { RedisClient } from '../../redis/redis.scripts';
import { AuditEvent } from '../audit-event';
import { AUDIT_RETENTION, AuditRetention, NoiseLimit, summaryOf } from '../audit.limits';
import { AuditQuery, AuditStore } from '../audit.store';

/*
 * Key layout (under the configured prefix; see audit_append.lua for each key):
 *   {audit}:e:<id>   HASH  the event as JSON (and a summary's count)
 *   {audit}:all, {audit}:t:<event>, {audit}:u:<userId>, {audit}:ue:<userId>:<event>
 *                    ZSET  event ids in the order of appends: one index per filter, so every
 *                          query is one range read of one index, exact however old the event
 *   {audit}:seq      STRING  that order, shared by every instance
 *   {audit}:n:<key>  HASH  one client's window of a rate-limited event (expires with it)
 * The event's own id (a UUIDv7) is what the API shows, so the log line written before the
 * append and the stored event carry the same id.
 */
const BASE = '{audit}:';

/** The audit trail in Redis, shared by every instance; appends and eviction are one script. */
@FailClosed()
export class RedisAuditStore implements AuditStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly retention: AuditRetention = AUDIT_RETENTION,
  ) {}

  async append(event: AuditEvent, limit?: NoiseLimit): Promise<void> {
    await this.redis.auditAppend(
      BASE,
      event.id,
      JSON.stringify(event),
      event.userId ?? '',
      event.event,
      this.retention[event.event],
      limit?.key ?? '',
      limit?.perWindow ?? 0,
      limit?.windowMs ?? 0,
      Date.parse(event.time),
      limit ? JSON.stringify(summaryOf(event, limit)) : '',
    );
  }

  async list(query: AuditQuery): Promise<AuditEvent[]> {
    const flat = await this.redis.auditList(BASE, indexOf(query), query.limit);
    const found: AuditEvent[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const event = JSON.parse(flat[i]) as AuditEvent;
      if (flat[i + 1] !== '') event.details.count = Number(flat[i + 1]);
      found.push(event);
    }
    return found;
  }
}

/** The index that holds exactly the events `query` asks for. */
function indexOf({ userId, event }: AuditQuery): string {
  if (userId !== undefined && event !== undefined) return `ue:${userId}:${event}`;
  if (userId !== undefined) return `u:${userId}`;
  return event !== undefined ? `t:${event}` : 'all';
}
