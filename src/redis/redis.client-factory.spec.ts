import { Cluster } from 'ioredis';
import { TestRedis } from '../../test/support/redis';
import { describeOnTopologies, serverOn, slotServers } from '../../test/support/redis-topologies';
import { until } from '../../test/support/wait';

describeOnTopologies(
  'The Cluster client',
  (topology) => {
    const redis = new TestRedis(topology.driver);
    afterAll(() => redis.cleanup());

    it('answers every command right after a master changed, following the MOVED replies', async () => {
      const client = (await redis.connect()).client as Cluster;
      const keys = await keysOfOneMaster(client, `${redis.prefix}`);
      await Promise.all(keys.map((key) => client.set(key, key)));
      await failOver(client, `${redis.prefix}${keys[0]}`);
      // The client still routes these slots to the old master, now a replica answering MOVED
      // (a different slot each): every command must still get its value.
      await expect(Promise.all(keys.map((key) => client.get(key)))).resolves.toEqual(keys);
    });
  },
  ['Cluster'],
);

/** A few keys in different slots that one master serves (names without the key prefix). */
async function keysOfOneMaster(client: Cluster, prefix: string): Promise<string[]> {
  const byMaster = new Map<number, string[]>();
  for (let i = 0; i < 60; i++) {
    const key = `k:{${i}}`;
    const port = await masterPort(client, `${prefix}${key}`);
    byMaster.set(port, [...(byMaster.get(port) ?? []), key]);
  }
  return [...byMaster.values()].sort((x, y) => y.length - x.length)[0].slice(0, 8);
}

async function masterPort(client: Cluster, key: string): Promise<number> {
  return (await slotServers(client, key))[2][1];
}

/** CLUSTER FAILOVER on the replica of `key`'s master: a clean switch of the two roles. */
async function failOver(client: Cluster, key: string): Promise<void> {
  const [, , , replica] = await slotServers(client, key);
  const node = serverOn(replica[1]);
  try {
    await node.cluster('FAILOVER');
    await until('replica promoted', async () => (await node.role())[0] === 'master');
  } finally {
    node.disconnect();
  }
}
