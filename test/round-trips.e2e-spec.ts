import type { Redis } from 'ioredis';
import { RedisConnection } from '../src/redis/redis.connection';
import { aUser, credentials } from './factories/user.factory';
import { expectInvalidToken } from './support/expectations';
import { useTestApp } from './support/test-app';

/**
 * The hot path's budget: an authenticated request costs one Redis round trip. `GET /auth/me`
 * needs the session check and the caller's account; both leave in one write to Redis.
 */
describe('Redis round trips per authenticated request', () => {
  const t = useTestApp();

  /** How many times the service wrote to Redis while `during` ran. */
  async function writesTo(during: () => Promise<void>): Promise<number> {
    const client = t().app.get(RedisConnection).client as Redis;
    const stream = client.stream;
    const write = jest.spyOn(stream, 'write');
    try {
      await during();
      return write.mock.calls.length;
    } finally {
      write.mockRestore();
    }
  }

  async function signedIn(): Promise<string> {
    const user = aUser();
    expect((await t().http.post('/auth/register', user)).status).toBe(201);
    const login = await t().http.post('/auth/login', credentials(user));
    expect(login.status).toBe(200);
    return (login.body as { access_token: string }).access_token;
  }

  it('GET /auth/me reads the session and the account in one round trip', async () => {
    const token = await signedIn();
    // The first use verifies the signature; the second is served from the verified-token cache.
    for (const use of ['first', 'cached']) {
      const writes = await writesTo(async () => {
        const me = await t().http.get('/auth/me', { token });
        expect(me.status).toBe(200);
        expect((me.body as { id: string }).id).toBeDefined();
      });
      expect({ use, writes }).toEqual({ use, writes: 1 });
    }
  });

  it('refuses an ended session with the account read in flight, leaving no loose promise', async () => {
    const token = await signedIn();
    expect((await t().http.post('/auth/logout', undefined, { token })).status).toBe(204);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      expectInvalidToken(await t().http.get('/auth/me', { token }));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });

  it("a login reads the account and its generation in one command, after the login's index", async () => {
    const user = aUser();
    expect((await t().http.post('/auth/register', user)).status).toBe(201);
    const client = t().app.get(RedisConnection).client as Redis;
    const sent = jest.spyOn(client, 'sendCommand');
    try {
      expect((await t().http.post('/auth/login', credentials(user))).status).toBe(200);
      const commands = sent.mock.calls.map(([command]) => ({
        name: command.name,
        keys: (command.args as unknown[]).filter((a): a is string => typeof a === 'string'),
      }));
      const reads = commands.filter(
        (c) => c.keys.some((k) => /\{users\}:id:|\}:gen$/.test(k)) && /^(get|mget)$/.test(c.name),
      );
      // One MGET of `{u:<id>}:gen` and `{users}:id:<id>`, no GET of either before the password check.
      expect(reads.map((c) => c.name)).toEqual(['mget']);
      expect(reads[0].keys).toEqual([
        expect.stringMatching(/\}:gen$/),
        expect.stringMatching(/\{users\}:id:/),
      ]);
    } finally {
      sent.mockRestore();
    }
  });

  it('a login sends the reservation with the account read, and the refund with the MFA read', async () => {
    const user = aUser();
    expect((await t().http.post('/auth/register', user)).status).toBe(201);
    const client = t().app.get(RedisConnection).client as Redis;
    const sent = jest.spyOn(client, 'sendCommand');
    // What reaches the socket: a turn's commands are corked, then flushed in one writev.
    const socket = client.stream as unknown as Record<'_write' | '_writev', () => void>;
    const flushes = [jest.spyOn(socket, '_write'), jest.spyOn(socket, '_writev')];
    try {
      expect((await t().http.post('/auth/login', credentials(user))).status).toBe(200);
      // A command leaves with the first write to Redis made after it was sent.
      const writes = flushes.flatMap((f) => f.mock.invocationCallOrder).sort((a, b) => a - b);
      const batchOf = (order: number) => writes.findIndex((w) => w > order);
      const commands = sent.mock.calls.map(([command], i) => {
        const args = (command.args as unknown[]).map(String);
        // EVALSHA's first key follows the script's digest and the key count.
        const key = command.name === 'evalsha' ? args[2] : args[0];
        return { name: command.name, key, batch: batchOf(sent.mock.invocationCallOrder[i]) };
      });
      const batchWith = (name: string, key: RegExp) => {
        const found = commands.filter((c) => c.name === name && key.test(c.key));
        expect(found).toHaveLength(1);
        return found[0].batch;
      };
      const record = batchWith('mget', /\}:gen$/);
      const reservation = batchWith('evalsha', /\{login-fail\}:pair:/);
      const refund = batchWith('evalsha', /\{login-fail\}:user:/);
      const secondFactor = batchWith('hmget', /:mfa$/);
      expect({ reservation, secondFactor }).toEqual({ reservation: record, secondFactor: refund });
      // The throttle, the login's index, record and reservation, refund and MFA read, the
      // session, then the audit events with the device cookie's record: six round trips.
      expect(writes).toHaveLength(6);
    } finally {
      sent.mockRestore();
      for (const flush of flushes) flush.mockRestore();
    }
  });
});
