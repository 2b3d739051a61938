import { Clock } from '../../common/time/clock';
import { FailClosed } from '../../redis/fail-closed';
import { RedisClient } from '../../redis/redis.scripts';
import { SOCKET_LEASE_MS, SocketLimits, SocketRef, SocketStore } from '../socket.store';

/*
 * Key layout (under the configured prefix); both keys of a user share a hash tag, so the scripts
 * run on a Cluster too. Members are "<sessionId>:<socketId>" (both UUIDs), so the per-session
 * count needs no third key:
 *   {ws:<userId>}:order   ZSET  member → admission number (oldest first)
 *   {ws:<userId>}:leases  ZSET  member → epoch ms when its lease ends
 */
const keys = (userId: string) => [`{ws:${userId}}:order`, `{ws:${userId}}:leases`] as const;
const member = (ref: SocketRef) => `${ref.sessionId}:${ref.socketId}`;
const socketIdOf = (member: string) => member.slice(member.indexOf(':') + 1);

/**
 * `SocketStore` in Redis, shared by every instance. Admission and eviction are one Lua script
 * (ws_admit.lua), and so is renewal (ws_renew.lua); see SOCKET_LEASE_MS for why leases.
 */
@FailClosed()
export class RedisSocketStore implements SocketStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly clock: Clock,
    private readonly leaseMs = SOCKET_LEASE_MS,
  ) {}

  async admit(ref: SocketRef, limits: SocketLimits): Promise<string[]> {
    const [order, leases] = keys(ref.userId);
    const now = this.clock.now();
    const { perSession, perUser } = limits;
    const evicted = await this.redis.wsAdmit(
      order,
      leases,
      ref.sessionId,
      ref.socketId,
      now,
      this.leaseMs,
      perSession,
      perUser,
    );
    return evicted.map(socketIdOf);
  }

  async release(ref: SocketRef): Promise<void> {
    const [order, leases] = keys(ref.userId);
    // One transaction: a member left in `order` without a lease would never lapse.
    replies(await this.redis.multi().zrem(order, member(ref)).zrem(leases, member(ref)).exec());
  }

  async renew(refs: SocketRef[]): Promise<string[]> {
    const byUser = new Map<string, string[]>();
    for (const ref of refs) {
      const members = byUser.get(ref.userId);
      if (members) members.push(member(ref));
      else byUser.set(ref.userId, [member(ref)]);
    }
    const now = this.clock.now();
    const gone = await Promise.all(
      [...byUser].map(([userId, members]) =>
        this.redis.wsRenew(...keys(userId), now, this.leaseMs, ...members),
      ),
    );
    return gone.flat().map(socketIdOf);
  }

  async list(userId: string, sessionId?: string): Promise<string[]> {
    const [order, leases] = keys(userId);
    const [all, live] = replies(
      await this.redis
        .multi()
        .zrange(order, '0', '-1')
        .zrangebyscore(leases, `(${this.clock.now()}`, '+inf')
        .exec(),
    ) as [string[], string[]];
    const leased = new Set(live);
    const prefix = sessionId === undefined ? '' : `${sessionId}:`;
    return all.filter((m) => leased.has(m) && m.startsWith(prefix)).map(socketIdOf);
  }
}

/** The replies of a MULTI, throwing the first error (exec reports errors per command). */
function replies(results: [Error | null, unknown][] | null): unknown[] {
  if (!results) throw new Error('Redis transaction was aborted');
  return results.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}
