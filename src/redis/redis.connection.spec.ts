import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { StoreUnavailableError } from '../common/errors/store-unavailable.error';
import { SystemClock } from '../common/time/clock';
import { RedisSessionStore } from '../tokens/stores/redis-session.store';
import { RedisUserStore } from '../users/stores/redis-user.store';
import { hangingProxy } from '../../test/support/hanging-proxy';
import { randomPrefix, REDIS_URL, redisConnection, TestRedis } from '../../test/support/redis';
import { RedisConnection } from './redis.connection';

const DEAD_URL = 'redis://tessera:s3cret-password@127.0.0.1:1';

describe('RedisConnection with the memory driver', () => {
  const connection = new RedisConnection({ driver: { kind: 'memory' }, keyPrefix: 'x:' });

  it('refuses to hand out a client instead of opening a connection', () => {
    expect(() => connection.client).toThrow(/memory store driver/);
  });

  it('is ready and healthy at once, since there is no Redis to wait for', async () => {
    await expect(connection.waitUntilReady(10)).resolves.toBe(true);
    await expect(connection.isHealthy()).resolves.toBe(true);
    await expect(connection.onApplicationShutdown()).resolves.toBeUndefined();
  });
});

describe('RedisConnection when Redis is unreachable', () => {
  let connection: RedisConnection;
  let logged: jest.SpyInstance;
  beforeAll(() => {
    logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    connection = redisConnection('tessera-test:dead:', DEAD_URL);
  });
  afterAll(async () => {
    await connection.onApplicationShutdown();
    logged.mockRestore();
  });

  it('gives up waiting at the timeout instead of throwing', async () => {
    await expect(connection.waitUntilReady(200)).resolves.toBe(false);
  });

  it('makes store calls reject with StoreUnavailableError at once, not hang', async () => {
    const started = Date.now();
    const users = new RedisUserStore(connection.client);
    const sessions = new RedisSessionStore(connection.client, new SystemClock());
    await expect(users.findByLogin('ada')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(
      sessions.checkAccess({ userId: 'uid', sessionId: 'sid' }, 'jti'),
    ).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('reports itself unhealthy', async () => {
    await expect(connection.isHealthy()).resolves.toBe(false);
  });

  it('logs connection errors without the password of the URL', () => {
    const messages = logged.mock.calls.map((call) => String(call[0]));
    expect(messages.some((m) => m.includes('redis://127.0.0.1:1'))).toBe(true);
    expect(messages.join('\n')).not.toContain('s3cret');
  });
});

describe('RedisConnection to a live Redis', () => {
  const redis = new TestRedis();
  afterAll(() => redis.cleanup());

  it('is healthy once ready', async () => {
    const connection = await redis.connect();
    await expect(connection.isHealthy()).resolves.toBe(true);
  });

  it('lets a Redis reply error for a real bug propagate as it is, not as unavailable', async () => {
    const connection = await redis.connect('bug:');
    const raw = new Redis(REDIS_URL);
    await raw.set(`${redis.prefix}bug:{u:uid}:s:sid`, 'not a hash');
    await raw.quit();
    const store = new RedisSessionStore(connection.client, new SystemClock());
    const error: unknown = await store
      .get({ userId: 'uid', sessionId: 'sid' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'ReplyError',
      message: expect.stringMatching(/WRONGTYPE/),
    });
  });

  it('closes the client on application shutdown', async () => {
    const connection = redisConnection(`${redis.prefix}close:`);
    await connection.waitUntilReady(5000);
    const client = connection.client;
    const ended = new Promise((resolve) => client.once('end', resolve));
    await connection.onApplicationShutdown();
    await expect(ended).resolves.toBeUndefined();
    expect(client.status).toBe('end');
  });
});

describe('RedisConnection to a Redis that stops answering', () => {
  it('still shuts down, within the command timeout, instead of waiting for QUIT forever', async () => {
    const proxy = await hangingProxy();
    const connection = redisConnection(randomPrefix(), `redis://127.0.0.1:${proxy.port}`);
    try {
      await expect(connection.waitUntilReady(5000)).resolves.toBe(true);
      await expect(connection.client.ping()).resolves.toBe('PONG');
      proxy.hang();
      const started = Date.now();
      await connection.onApplicationShutdown();
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      proxy.close();
    }
  });
});
