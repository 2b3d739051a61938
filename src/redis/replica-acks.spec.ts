import { Logger } from '@nestjs/common';
import { Cluster, Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { SystemClock } from '../common/time/clock';
import { RedisSessionStore } from '../tokens/stores/redis-session.store';
import { redisConnection } from '../../test/support/redis';
import { RedisServer } from '../../test/support/redis-server';
import { until } from '../../test/support/wait';
import { RedisConnection } from './redis.connection';
import { RedisClient } from './redis.scripts';
import { ReplicaAcks } from './replica-acks';

const PREFIX = 'tessera-test:acks:';
const REF = { userId: 'uid', sessionId: 'sid' };
const SESSION_KEY = `${PREFIX}{u:uid}:s:sid`;

/**
 * A private master and its replica (child processes): a revocation must be on the replica before
 * it is answered, so that promoting the replica after the master dies keeps it.
 */
describe('ReplicaAcks', () => {
  let master: RedisServer;
  let replica: RedisServer;
  let replicaClient: Redis;
  const connections: RedisConnection[] = [];

  beforeEach(async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    master = await RedisServer.start(['--repl-diskless-sync-delay', '0']);
    replica = await RedisServer.start(['--replicaof', '127.0.0.1', String(master.port)]);
    replicaClient = new Redis(replica.url, { maxRetriesPerRequest: 1 });
    await until('replica in sync', async () =>
      (await replicaClient.info('replication')).includes('master_link_status:up'),
    );
  });

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((c) => c.onApplicationShutdown()));
    replicaClient.disconnect();
    await Promise.all([master.dispose(), replica.dispose()]);
    jest.restoreAllMocks();
  });

  /** A session store on the master whose acknowledged writes wait for one replica. */
  async function storeWaitingFor(timeoutMs: number): Promise<RedisSessionStore> {
    const [main, acked] = [
      redisConnection(PREFIX, master.url),
      redisConnection(PREFIX, master.url),
    ];
    connections.push(main, acked);
    await Promise.all([main.waitUntilReady(5000), acked.waitUntilReady(5000)]);
    const acks = new ReplicaAcks(acked.client, 1, timeoutMs);
    const store = new RedisSessionStore(main.client, new SystemClock(), acks);
    const session = { id: 'sid', userId: 'uid', createdAt: 1, lastUsedAt: 1, scope: '' };
    const fields = { userAgent: null, ip: null, refreshHash: 'h', generation: 0 };
    await store.create({ ...session, ...fields, expiresAt: Date.now() + 60_000 }, 50);
    await until(
      'session on the replica',
      async () => (await replicaClient.exists(SESSION_KEY)) === 1,
    );
    return store;
  }

  it('answers a revocation once the replica has it, so a failover right after keeps it', async () => {
    // Longer than the replica needs to come back, within the command timeout (500 ms).
    const store = await storeWaitingFor(450);
    // The replica is cut off (its link closed, and frozen so that it cannot reconnect) for
    // 150 ms: meanwhile the revocation lives on the master only.
    replica.freeze();
    const admin = new Redis(master.url);
    await admin.call('CLIENT', 'KILL', 'TYPE', 'replica');
    admin.disconnect();
    const thawed = sleep(150).then(() => replica.thaw());
    await expect(store.revoke(REF)).resolves.toBe(true);
    await master.stop('SIGKILL');
    await thawed;
    await replicaClient.replicaof('NO', 'ONE');
    expect(await replicaClient.exists(SESSION_KEY)).toBe(0);
  });

  it('answers after its timeout without a replica, then stops waiting for a while', async () => {
    const store = await storeWaitingFor(300);
    replica.freeze();
    const started = Date.now();
    await store.revoke(REF);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    const again = Date.now();
    await store.revokeAllForUser(REF.userId);
    expect(Date.now() - again).toBeLessThan(100);
    expect(Logger.prototype.warn).toHaveBeenCalledWith(
      expect.stringMatching(/^No replica acknowledged a revocation within 300 ms/),
    );
  });
});

/** What ioredis gives for a pipeline of one command and WAIT (which a replica answered). */
type Replies = [Error | null, unknown][];
const answered = (reply: unknown): Replies => [
  [null, reply],
  [null, 1],
];
const failed = (message: string): Replies => [
  [new Error(message), null],
  [null, 1],
];
const REFRESH_MS = 300;

/**
 * A Cluster client (for `instanceof`) whose slot map gives slot 12182 to 127.0.0.1:7001, whose
 * pipelines answer `replies` in turn, and whose slot map refresh takes REFRESH_MS.
 */
/** A Cluster whose map gives slot 12182 to :7001; `ready`: the nodes it has a live connection to. */
function clusterAnswering(...replies: (() => Promise<Replies>)[]) {
  return clusterWith(['127.0.0.1:7004'], ...replies);
}

function clusterWith(ready: string[], ...replies: (() => Promise<Replies>)[]) {
  const exec = jest.fn(() => (replies.shift() ?? (() => Promise.reject(new Error('no reply'))))());
  const pipeline = { set: () => pipeline, wait: () => pipeline, exec };
  const refreshSlotsCache = jest.fn((done: () => void) => void sleep(REFRESH_MS).then(done));
  const slots: string[][] = [];
  slots[12182] = ['127.0.0.1:7001'];
  const nodes = ['127.0.0.1:7001', '127.0.0.1:7004'].map((key) => {
    const [host, port] = key.split(':');
    return {
      options: { host, port: Number(port) },
      status: ready.includes(key) ? 'ready' : 'close',
    };
  });
  const client = Object.assign(Object.create(Cluster.prototype) as RedisClient, {
    slots,
    pipeline: () => pipeline,
    refreshSlotsCache,
    nodes: () => nodes,
  });
  return { acks: new ReplicaAcks(client, 1), exec, refreshSlotsCache };
}

describe('ReplicaAcks on a Cluster, when a pipeline gets MOVED', () => {
  const set = (acks: ReplicaAcks) => acks.run('set', '{u:uid}:k', 'v', 'PXAT', Date.now() + 1000);

  it('follows a slot that moved to another master: a fresh slot map, then one more try', async () => {
    const { acks, exec, refreshSlotsCache } = clusterAnswering(
      () => Promise.resolve(failed('MOVED 12182 127.0.0.1:7004')),
      () => Promise.resolve(answered('OK')),
    );
    await expect(set(acks)).resolves.toBe('OK');
    expect(refreshSlotsCache).toHaveBeenCalledTimes(1);
    expect(exec).toHaveBeenCalledTimes(2);
  });

  it('fails at once when MOVED names the master the map already has: its connection is gone', async () => {
    // A second try would be ioredis's failover retries against the dead master, 600 ms and more
    // on top of the first try: one request waiting twice, a 503 past the contract's 1 s.
    const { acks, exec, refreshSlotsCache } = clusterAnswering(
      () => Promise.resolve(failed('MOVED 12182 127.0.0.1:7001')),
      () => sleep(600).then(() => failed('Connection is closed.')),
    );
    const started = Date.now();
    await expect(set(acks)).rejects.toThrow('MOVED 12182 127.0.0.1:7001');
    expect(Date.now() - started).toBeLessThan(REFRESH_MS); // nor does it wait for the refresh
    expect(exec).toHaveBeenCalledTimes(1);
    // The slot map is refreshed all the same, so that a later call finds the promoted replica.
    expect(refreshSlotsCache).toHaveBeenCalledTimes(1);
  });

  it('follows a MOVED to the master the map already has when it is connected: another call refreshed the map first', async () => {
    // Several revocations in flight across a failover: the first MOVED refreshed the map, so
    // the later ones find their new master in it already. Their slot did move: one more try.
    const { acks, exec } = clusterWith(
      ['127.0.0.1:7001'],
      () => Promise.resolve(failed('MOVED 12182 127.0.0.1:7001')),
      () => Promise.resolve(answered('OK')),
    );
    await expect(set(acks)).resolves.toBe('OK');
    expect(exec).toHaveBeenCalledTimes(2);
  });
});
