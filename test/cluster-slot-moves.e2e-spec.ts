import { Cluster } from 'ioredis';
import { SystemClock } from '../src/common/time/clock';
import { RedisSessionStore } from '../src/tokens/stores/redis-session.store';
import { TestRedis } from './support/redis';
import {
  describeOnTopologies,
  serverOn,
  slotServers,
  topologiesHealthy,
} from './support/redis-topologies';
import { until } from './support/wait';

/**
 * Slots change hands (CLUSTER FAILOVER: the replica of a master takes its place, cleanly) while
 * the client still routes them to the old master, which answers MOVED: every call must follow.
 * An e2e spec, not a unit one, so that it runs alone: it moves slots other suites' keys live in.
 */
describeOnTopologies(
  'The Cluster client after a master changed',
  (topology) => {
    const redis = new TestRedis(topology.driver);
    afterAll(() => redis.cleanup());

    it('follows the MOVED replies of keys in several slots sent at once', async () => {
      const client = (await redis.connect()).client as Cluster;
      const keys = await onOneMaster(client, redis.prefix, (i) => `k:{${i}}`);
      await Promise.all(keys.map((key) => client.set(key, key)));
      await failOver(client, `${redis.prefix}${keys[0]}`);
      await expect(Promise.all(keys.map((key) => client.get(key)))).resolves.toEqual(keys);
    });

    it('still revokes, acknowledged by a replica, in slots that moved', async () => {
      const connection = await redis.connect('acks:');
      const store = new RedisSessionStore(connection.client, new SystemClock(), connection.acks);
      const prefix = `${redis.prefix}acks:`;
      const users = await onOneMaster(connection.client as Cluster, prefix, (i) => `{u:u${i}}:`);
      const refs = users.map((base) => ({ userId: base.slice(3, -2), sessionId: 's' }));
      for (const ref of refs) await store.create(aSession(ref), 50);
      await failOver(connection.client as Cluster, `${prefix}${users[0]}`);
      await expect(Promise.all(refs.map((ref) => store.revoke(ref)))).resolves.toEqual(
        refs.map(() => true),
      );
    });
  },
  ['Cluster'],
);

function aSession({ userId, sessionId }: { userId: string; sessionId: string }) {
  const now = Date.now();
  return {
    ...{ id: sessionId, userId, createdAt: now, lastUsedAt: now, expiresAt: now + 60_000 },
    ...{ userAgent: null, ip: null, scope: '', refreshHash: 'h', generation: 0 },
  };
}

/** Up to eight names (`name(i)`, without `prefix`) in different slots that one master serves. */
async function onOneMaster(
  client: Cluster,
  prefix: string,
  name: (i: number) => string,
): Promise<string[]> {
  const byMaster = new Map<number, string[]>();
  for (let i = 0; i < 60; i++) {
    const port = (await slotServers(client, `${prefix}${name(i)}`))[2][1];
    byMaster.set(port, [...(byMaster.get(port) ?? []), name(i)]);
  }
  return [...byMaster.values()].sort((x, y) => y.length - x.length)[0].slice(0, 8);
}

/** CLUSTER FAILOVER on the replica of `key`'s master: a clean switch of the two roles. */
async function failOver(client: Cluster, key: string): Promise<void> {
  // A file run after a failover test may find the cluster still healing (a killed master back
  // as a replica only seconds later): wait until the slot has its replica again.
  await topologiesHealthy();
  let replicaPort: number | undefined;
  await until(
    'a replica serves the slot',
    async () => {
      replicaPort = (await slotServers(client, key))[3]?.[1];
      return replicaPort !== undefined;
    },
    30_000,
  );
  const node = serverOn(replicaPort!);
  try {
    await node.cluster('FAILOVER');
    await until('replica promoted', async () => (await node.role())[0] === 'master');
  } finally {
    node.disconnect();
  }
  await topologiesHealthy(); // the old master is a replica in sync again
}
