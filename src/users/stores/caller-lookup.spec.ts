import { randomBytes } from 'node:crypto';
import { SystemClock } from '../../common/time/clock';
import { uuidv7 } from '../../common/crypto/ids';
import { StoreUnavailableError } from '../../common/errors/store-unavailable.error';
import { TestRedis } from '../../../test/support/redis';
import { describeOnTopologies } from '../../../test/support/redis-topologies';
import { RedisConnection } from '../../redis/redis.connection';
import { NewSession, SessionRef } from '../../tokens/session';
import { SessionStore } from '../../tokens/session.store';
import { MemorySessionStore } from '../../tokens/stores/memory-session.store';
import { RedisSessionStore } from '../../tokens/stores/redis-session.store';
import { User } from '../user';
import { UserStore } from '../user.store';
import {
  callerLookupOf,
  CallerLookup,
  RedisCallerLookup,
  singleRedisOf,
  StoresCallerLookup,
} from './caller-lookup';
import { MemoryUserStore } from './memory-user.store';
import { aUser } from './user.store.contract';
import { RedisUserStore } from './redis-user.store';

interface Fixture {
  lookup: CallerLookup;
  /** The stores as another instance sees them (Redis: their own connection). */
  sessions: SessionStore;
  users: UserStore;
}

function aSession(userId: string): NewSession {
  const now = Date.now();
  return {
    id: uuidv7(),
    userId,
    createdAt: now,
    lastUsedAt: now,
    expiresAt: now + 3_600_000,
    userAgent: 'jest',
    ip: '203.0.113.7',
    scope: 'profile',
    refreshHash: randomBytes(32).toString('base64url'),
    generation: 0,
  };
}

/** What every CallerLookup answers: SessionStore.checkAccess's verdict, the account if active. */
function describeCallerLookupContract(name: string, fixture: () => Promise<Fixture>): void {
  describe(`CallerLookup contract (${name})`, () => {
    let f: Fixture;
    let user: User;
    let ref: SessionRef;
    beforeEach(async () => {
      f = await fixture();
      user = aUser();
      await f.users.create(user);
      const session = aSession(user.id);
      await f.sessions.create(session, 50);
      ref = { userId: user.id, sessionId: session.id };
    });

    it('answers an active session with the account as stored', async () => {
      await expect(f.lookup.checkWithAccount(ref, 'jti')).resolves.toEqual({
        state: 'active',
        account: user,
      });
    });

    it('refuses an ended session, a revoked token and a stale generation, without the account', async () => {
      await f.sessions.revokeAccessToken(ref, 'revoked', Date.now() + 60_000);
      await expect(f.lookup.checkWithAccount(ref, 'revoked')).resolves.toEqual({
        state: 'token-revoked',
        account: null,
      });
      const other = aSession(user.id);
      await f.sessions.create(other, 50);
      await f.sessions.revokeAllForUser(user.id, other.id);
      await expect(f.lookup.checkWithAccount(ref, 'jti')).resolves.toEqual({
        state: 'session-ended',
        account: null,
      });
      const kept = { userId: user.id, sessionId: other.id };
      await expect(f.lookup.checkWithAccount(kept, 'jti')).resolves.toMatchObject({
        state: 'active',
      });
      await f.sessions.revoke(kept);
      await expect(f.lookup.checkWithAccount(kept, 'jti')).resolves.toEqual({
        state: 'session-ended',
        account: null,
      });
    });

    it('answers an active session whose account is gone with no account', async () => {
      await f.users.delete(user.id);
      await expect(f.lookup.checkWithAccount(ref, 'jti')).resolves.toEqual({
        state: 'active',
        account: null,
      });
    });

    it('marks a DPoP proof used: its second use is refused, another proof passes', async () => {
      const proof = { id: randomBytes(16).toString('hex'), until: Date.now() + 60_000 };
      await expect(f.lookup.checkWithAccount(ref, 'jti', proof)).resolves.toMatchObject({
        state: 'active',
        account: user,
      });
      await expect(f.lookup.checkWithAccount(ref, 'jti', proof)).resolves.toEqual({
        state: 'proof-replayed',
        account: null,
      });
      // The mark is the session store's: a proof checked through it is spent here too.
      const next = { id: randomBytes(16).toString('hex'), until: Date.now() + 60_000 };
      await expect(f.sessions.checkAccess(ref, 'jti', next)).resolves.toBe('active');
      await expect(f.lookup.checkWithAccount(ref, 'jti', next)).resolves.toMatchObject({
        state: 'proof-replayed',
      });
    });

    it("reads a sign-in's generation and account, and sees both move", async () => {
      await expect(f.lookup.signInRecord(user.id)).resolves.toEqual({ generation: 0, user });
      // Logout-all (a password change, a reset…) moves the generation, on another instance.
      await f.sessions.revokeAllForUser(user.id);
      const { generation } = await f.lookup.signInRecord(user.id);
      expect(generation).toBeGreaterThan(0);
      await expect(f.sessions.generation(user.id)).resolves.toBe(generation);
      await f.users.update(user.id, { active: false }, new Date().toISOString());
      await expect(f.lookup.signInRecord(user.id)).resolves.toMatchObject({
        generation,
        user: { id: user.id, active: false },
      });
      await f.users.delete(user.id);
      await expect(f.lookup.signInRecord(user.id)).resolves.toEqual({ generation, user: null });
      await expect(f.lookup.signInRecord(uuidv7())).resolves.toEqual({ generation: 0, user: null });
    });

    it('sees an account changed by another instance at once', async () => {
      await f.users.update(user.id, { roles: ['user', 'admin'] }, new Date().toISOString());
      const { account } = await f.lookup.checkWithAccount(ref, 'jti');
      expect(account?.roles).toEqual(['user', 'admin']);
    });
  });
}

describeCallerLookupContract('memory', () => {
  const sessions = new MemorySessionStore(new SystemClock());
  const users = new MemoryUserStore();
  return Promise.resolve({ lookup: new StoresCallerLookup(sessions, users), sessions, users });
});

/** Stores on a connection of their own: the lookup on another one, as two instances are. */
async function redisFixture(
  redis: TestRedis,
  lookupOf: (connection: RedisConnection, sessions: SessionStore, users: UserStore) => CallerLookup,
): Promise<Fixture> {
  const [mine, peer] = [await redis.connect(), await redis.connect()];
  const clock = new SystemClock();
  const lookup = lookupOf(
    mine,
    new RedisSessionStore(mine.client, clock, mine.acks),
    new RedisUserStore(mine.client, mine.acks),
  );
  return {
    lookup,
    sessions: new RedisSessionStore(peer.client, clock, peer.acks),
    users: new RedisUserStore(peer.client, peer.acks),
  };
}

describe('CallerLookup on Redis', () => {
  const redis = new TestRedis();
  afterAll(() => redis.cleanup());

  describeCallerLookupContract('one script', () =>
    redisFixture(redis, (connection) => new RedisCallerLookup(connection.client)),
  );
  describeCallerLookupContract('the two stores', () =>
    redisFixture(redis, (_connection, sessions, users) => new StoresCallerLookup(sessions, users)),
  );

  it('is one command on a single Redis', async () => {
    const connection = await redis.connect();
    const lookup = callerLookupOf(
      singleRedisOf(connection),
      new RedisSessionStore(connection.client, new SystemClock()),
      new RedisUserStore(connection.client),
    );
    expect(lookup).toBeInstanceOf(RedisCallerLookup);
    const sent = jest.spyOn(connection.client, 'sendCommand');
    const ref = { userId: uuidv7(), sessionId: uuidv7() };
    await expect(lookup.checkWithAccount(ref, 'jti')).resolves.toEqual({
      state: 'session-ended',
      account: null,
    });
    expect(sent).toHaveBeenCalledTimes(1);
    await expect(lookup.signInRecord(ref.userId)).resolves.toEqual({ generation: 0, user: null });
    expect(sent).toHaveBeenCalledTimes(2);
  });

  it('fails closed when Redis cannot be reached', async () => {
    const connection = await redis.connect();
    const lookup = new RedisCallerLookup(connection.client);
    connection.client.disconnect();
    const ref = { userId: uuidv7(), sessionId: uuidv7() };
    await expect(lookup.checkWithAccount(ref, 'jti')).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});

describeOnTopologies('CallerLookup', (topology) => {
  const redis = new TestRedis(topology.driver);
  afterAll(() => redis.cleanup());

  // What the provider builds for this topology: two commands on a Cluster, where the session and
  // the user record lie in different slots (one script there would be refused: CROSSSLOT).
  describeCallerLookupContract(`redis (${topology.name})`, () =>
    redisFixture(redis, (connection, sessions, users) =>
      callerLookupOf(singleRedisOf(connection), sessions, users),
    ),
  );

  it(`is ${topology.name === 'Cluster' ? 'the two stores' : 'one script'}`, async () => {
    const connection = await redis.connect();
    const lookup = callerLookupOf(
      singleRedisOf(connection),
      new RedisSessionStore(connection.client, new SystemClock()),
      new RedisUserStore(connection.client),
    );
    expect(lookup).toBeInstanceOf(
      topology.name === 'Cluster' ? StoresCallerLookup : RedisCallerLookup,
    );
  });
});
