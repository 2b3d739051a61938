import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { validateEnv } from '../../src/config/env.validation';
import { RedisDriver } from '../../src/redis/redis.client-factory';
import { withServers } from './redis';

/**
 * The Sentinel and Cluster topologies the tests run against, from the environment that
 * `.ci/redis-topologies.sh start` prints. `.ci/run` always sets it; without it (a laptop), the
 * suites are skipped with a line saying how to run them, except under CI=true, where a missing
 * topology fails.
 */
export interface Topology {
  name: 'Sentinel' | 'Cluster';
  driver: RedisDriver;
  /** What the app needs to use it (instead of REDIS_URL). */
  appEnv: Record<string, string | undefined>;
  /** The port of the master holding `key` (a full key name, with the prefix). */
  masterOf(key: string): Promise<number>;
}

const SCRIPT = join(__dirname, '../../.ci/redis-topologies.sh');
const HOW = 'eval "$(.ci/redis-topologies.sh start)" to run them';

function sentinel(): Topology | string {
  const sentinels = process.env.TEST_REDIS_SENTINELS;
  if (!sentinels) return 'TEST_REDIS_SENTINELS';
  const name = process.env.TEST_REDIS_SENTINEL_NAME ?? 'tessera';
  const appEnv = { REDIS_URL: undefined, REDIS_SENTINELS: sentinels, REDIS_SENTINEL_NAME: name };
  const driver = validateEnv(appEnv).store.driver as RedisDriver;
  return { name: 'Sentinel', driver, appEnv, masterOf: () => sentinelMaster(sentinels, name) };
}

/** The master's port, as the first sentinel that answers sees it. */
async function sentinelMaster(sentinels: string, name: string): Promise<number> {
  for (const entry of sentinels.split(',')) {
    const [host, port] = entry.split(':');
    const sentinel = new Redis({ host, port: Number(port), maxRetriesPerRequest: 1 });
    try {
      const [, masterPort] = (await sentinel.call('SENTINEL', 'get-master-addr-by-name', name)) as [
        string,
        string,
      ];
      return Number(masterPort);
    } catch {
      // this sentinel is down: ask the next
    } finally {
      sentinel.disconnect();
    }
  }
  throw new Error(`no sentinel of ${sentinels} answers`);
}

function cluster(): Topology | string {
  const nodes = process.env.TEST_REDIS_CLUSTER_NODES;
  if (!nodes) return 'TEST_REDIS_CLUSTER_NODES';
  const appEnv = { REDIS_URL: undefined, REDIS_CLUSTER_NODES: nodes };
  const driver = validateEnv(appEnv).store.driver as RedisDriver;
  return {
    name: 'Cluster',
    driver,
    appEnv,
    masterOf: (key) => withServers(driver, (_, client) => clusterMasterOf(client as Cluster, key)),
  };
}

async function clusterMasterOf(client: Cluster, key: string): Promise<number> {
  return (await slotServers(client, key))[2][1];
}

/** The CLUSTER SLOTS entry of `key`'s slot (a full key name): [from, to, master, …replicas]. */
export async function slotServers(client: Cluster, key: string) {
  const slot = Number(await client.cluster('KEYSLOT', key));
  const slots = await client.cluster('SLOTS');
  const range = slots.find(([from, to]) => slot >= from && slot <= to);
  if (!range) throw new Error(`no master serves slot ${slot}`);
  return range;
}

/**
 * `describe(title on <topology>)` for each topology; one that is not configured is skipped with
 * the reason in its title, or fails under CI=true.
 */
export function describeOnTopologies(
  title: string,
  suite: (topology: Topology) => void,
  only: Topology['name'][] = ['Sentinel', 'Cluster'],
): void {
  const wanted = { Sentinel: sentinel, Cluster: cluster };
  for (const topology of only.map((name) => wanted[name]())) {
    if (typeof topology !== 'string') {
      describe(`${title} on ${topology.name}`, () => suite(topology));
    } else if (process.env.CI === 'true') {
      it(`${title}: runs in CI, where ${topology} must be set (${HOW})`, () => {
        expect(process.env[topology]).toBeDefined();
      });
    } else {
      // A laptop without the topologies: say so in the test list instead of failing.
      // eslint-disable-next-line jest/no-disabled-tests, jest/expect-expect
      it.skip(`${title}: skipped, ${topology} is not set (${HOW})`, () => undefined);
    }
  }
}

const run = promisify(execFile);

/** The topologies' own directory (set by the start script), where their pidfiles are. */
function topologiesDir(): string {
  const dir = process.env.TEST_REDIS_TOPOLOGIES_DIR;
  if (!dir) throw new Error(`TEST_REDIS_TOPOLOGIES_DIR is not set: ${HOW}`);
  return dir;
}

/**
 * SIGKILL the server on `port`. Only through the start script, which signals only PIDs from its
 * own pidfiles: a test never kills a Redis it did not start.
 */
export async function killServer(port: number): Promise<void> {
  await run(SCRIPT, ['kill', topologiesDir(), String(port)]);
}

/** Starts the killed server again (it rejoins as a replica) and waits until all is healthy. */
export async function reviveServer(port: number): Promise<void> {
  await run(SCRIPT, ['revive', topologiesDir(), String(port)]);
  await topologiesHealthy();
}

/** Waits until every master has its replica in sync again and the sentinels agree. */
export async function topologiesHealthy(): Promise<void> {
  await run(SCRIPT, ['wait', topologiesDir()]);
}

/** A raw client (no key prefix) of the server on `port`, for reading a replica directly. */
export function serverOn(port: number): Redis {
  return new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1 });
}
