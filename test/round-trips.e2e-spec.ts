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
});
