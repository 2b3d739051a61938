import { Redis } from 'ioredis';
import { hangingProxy } from '../../test/support/hanging-proxy';
import { REDIS_URL } from '../../test/support/redis';
import { CommandWatchdog } from './command-watchdog';

const clients: Redis[] = [];
const watchdogs: CommandWatchdog[] = [];
afterEach(() => {
  watchdogs.splice(0).forEach((w) => w.dispose());
  clients.splice(0).forEach((c) => c.disconnect());
});

function watched(client: Redis, timeoutMs: number, now?: () => number): CommandWatchdog {
  clients.push(client);
  const watchdog = new CommandWatchdog(client, timeoutMs, now);
  watchdogs.push(watchdog);
  return watchdog;
}

describe('CommandWatchdog', () => {
  it('fails every command waiting on a Redis that stopped answering, within the timeout and a tick', async () => {
    const proxy = await hangingProxy();
    try {
      const client = new Redis(proxy.port, '127.0.0.1', {
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      watched(client, 300);
      await expect(client.ping()).resolves.toBe('PONG');
      proxy.hang();
      const started = Date.now();
      const failure = (error: Error) => [error.message, Date.now() - started] as const;
      const [[message, after], [secondMessage]] = await Promise.all([
        client.ping().then(() => ['answered', 0] as const, failure),
        client.echo('x').then(() => ['answered', 0] as const, failure),
      ]);
      expect(message).toBe('Command timed out');
      expect(secondMessage).toBe('Command timed out');
      expect(after).toBeGreaterThanOrEqual(300);
      expect(after).toBeLessThan(300 + 50 + 200); // one tick, plus a busy machine's slack
    } finally {
      proxy.close();
    }
  });

  it('leaves a Redis that answers alone, however many commands pass over time', async () => {
    let clock = 0;
    const client = new Redis(REDIS_URL, { enableAutoPipelining: true });
    const watchdog = watched(client, 100, () => clock);
    const key = `tessera-test:watchdog:${process.pid}:${Date.now()}`;
    try {
      for (let round = 0; round < 20; round++) {
        const replies = Promise.all([client.incr(key), client.get(key)]);
        watchdog.check();
        clock += 60; // each round "takes" 60 ms of the watchdog's time: more than 100 in all
        watchdog.check();
        await replies;
      }
      await expect(client.get(key)).resolves.toBe('20');
    } finally {
      await client.del(key);
    }
  });

  it('times from when a command became the oldest, not from when the watchdog started', () => {
    let clock = 0;
    const head = { command: { isSettled: false, reject: jest.fn() } };
    const queue: (typeof head)[] = [];
    const client = {
      commandQueue: { peekFront: () => queue[0], toArray: () => [...queue] },
    } as unknown as Redis;
    const watchdog = new CommandWatchdog(client, 500, () => clock);
    watchdogs.push(watchdog);
    clock = 10_000;
    queue.push(head);
    watchdog.check(); // first seen now
    clock += 499;
    watchdog.check();
    expect(head.command.reject).not.toHaveBeenCalled();
    clock += 1;
    const behind = { command: { isSettled: false, reject: jest.fn() } };
    const answered = { command: { isSettled: true, reject: jest.fn() } };
    queue.push(behind, answered);
    watchdog.check();
    expect(head.command.reject).toHaveBeenCalledWith(new Error('Command timed out'));
    expect(behind.command.reject).toHaveBeenCalledTimes(1);
    expect(answered.command.reject).not.toHaveBeenCalled();
  });
});
