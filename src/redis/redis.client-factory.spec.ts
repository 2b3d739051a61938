import { Redis } from 'ioredis';
import { hangingProxy } from '../../test/support/hanging-proxy';
import { randomPrefix, REDIS_URL } from '../../test/support/redis';
import { createRedisClient } from './redis.client-factory';

const turn = () => new Promise((resolve) => setImmediate(resolve));
/** No offline queue: commands only once the client is ready. */
const ready = (client: Redis) =>
  client.status === 'ready' ? Promise.resolve() : new Promise((r) => client.once('ready', r));

const standalone = () =>
  createRedisClient({ kind: 'redis', mode: 'standalone', url: REDIS_URL }, randomPrefix()) as Redis;

describe('createRedisClient (standalone)', () => {
  it("sends the commands of one event-loop turn in one write, at the turn's end", async () => {
    const client = standalone();
    try {
      await ready(client);
      const socket = client.stream as unknown as {
        _write: (...args: unknown[]) => void;
        _writev: (...args: unknown[]) => void;
      };
      const write = jest.spyOn(socket, '_write');
      const writev = jest.spyOn(socket, '_writev');
      const replies = Promise.all([client.get('a'), client.get('b'), client.exists('c')]);
      // Nothing is on the wire before the turn's I/O is done.
      expect(write).not.toHaveBeenCalled();
      expect(writev).not.toHaveBeenCalled();
      expect(await replies).toEqual([null, null, 0]);
      expect(write).not.toHaveBeenCalled();
      expect(writev).toHaveBeenCalledTimes(1);
      expect((writev.mock.calls[0][0] as unknown[]).length).toBe(3);
    } finally {
      client.disconnect();
    }
  });

  it('builds no ioredis Pipeline for its commands (V8 kept each one until a full GC)', async () => {
    const client = standalone();
    try {
      await ready(client);
      const pipeline = jest.spyOn(client, 'pipeline');
      await Promise.all([client.get('a'), client.mget('b', 'c'), client.eval('return 1', 0)]);
      expect(pipeline).not.toHaveBeenCalled();
    } finally {
      client.disconnect();
    }
  });

  it('writes a batch while the one before it still waits for its replies', async () => {
    const proxy = await hangingProxy();
    const client = createRedisClient(
      { kind: 'redis', mode: 'standalone', url: `redis://127.0.0.1:${proxy.port}` },
      randomPrefix(),
    ) as Redis;
    try {
      await ready(client);
      await client.ping();
      proxy.hang();
      // Two batches: each command is issued in its own event-loop turn.
      const first = client.get('first-batch').catch(() => undefined);
      for (let i = 0; i < 3; i++) await turn();
      const second = client.get('second-batch').catch(() => undefined);
      for (let i = 0; i < 20 && !proxy.sent().includes('second-batch'); i++) await turn();
      // ioredis's auto-pipelining would hold the second batch until the first is answered: never.
      expect(proxy.sent()).toContain('first-batch');
      expect(proxy.sent()).toContain('second-batch');
      client.disconnect();
      await Promise.all([first, second]);
    } finally {
      client.disconnect();
      proxy.close();
    }
  });

  it('keeps replies with their commands when batches overlap', async () => {
    const client = standalone();
    try {
      await ready(client);
      const keys = Array.from({ length: 200 }, (_, i) => `k${i}`);
      await Promise.all(keys.map((k, i) => client.set(k, String(i), 'EX', 30)));
      // Reads spread over many event-loop turns, so many batches are in flight at once.
      const reads: Promise<string | null>[] = [];
      for (const key of keys) {
        reads.push(client.get(key));
        if (reads.length % 7 === 0) await turn();
      }
      expect(await Promise.all(reads)).toEqual(keys.map((_, i) => String(i)));
      await client.del(...keys);
    } finally {
      client.disconnect();
    }
  });
});
