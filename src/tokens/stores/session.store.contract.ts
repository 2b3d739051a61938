// Imported explicitly (not the ambient jest globals) so this file also type-checks under
// tsconfig.build.json, which includes every non-spec file of src/.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { uuidv7 } from '../../common/crypto/ids';
import { Clock } from '../../common/time/clock';
import { NewSession, Session } from '../session';
import { SessionStore } from '../session.store';

/** A store under test plus control of its time: instant for a ManualClock, sleeping for Redis. */
export interface SessionStoreFixture {
  store: SessionStore;
  clock: Clock;
  /** Lets `ms` pass for the store's notion of expiry. */
  elapse(ms: number): Promise<void>;
}

const hash = (): string => randomBytes(32).toString('base64url');
const HOUR = 3_600_000;

function aSession(clock: Clock, overrides: Partial<NewSession> = {}): NewSession {
  const now = clock.now();
  return {
    id: uuidv7(now),
    userId: uuidv7(now),
    createdAt: now,
    lastUsedAt: now,
    expiresAt: now + HOUR,
    userAgent: 'jest',
    ip: '203.0.113.7',
    scope: 'profile',
    refreshHash: hash(),
    ...overrides,
  };
}

/** What a stored session reads back as: the NewSession without its refresh hash. */
function stored(session: NewSession, changes: Partial<Session> = {}): Session {
  const { id, userId, createdAt, lastUsedAt, expiresAt, userAgent, ip, scope } = session;
  return { id, userId, createdAt, lastUsedAt, expiresAt, userAgent, ip, scope, ...changes };
}

/** The behaviour every SessionStore driver must have. Expiry tests wait about 400 ms. */
export function describeSessionStoreContract(
  name: string,
  makeFixture: () => SessionStoreFixture | Promise<SessionStoreFixture>,
): void {
  describe(`SessionStore contract: ${name}`, () => {
    let store: SessionStore;
    let clock: Clock;
    let elapse: (ms: number) => Promise<void>;
    beforeEach(async () => {
      ({ store, clock, elapse } = await makeFixture());
    });

    describe('create, get and listForUser', () => {
      it('stores a session that get returns without its refresh hash', async () => {
        const session = aSession(clock, { userAgent: null, ip: null });
        await store.create(session);
        await expect(store.get(session.id)).resolves.toEqual(stored(session));
      });

      it('returns null for an unknown session', async () => {
        await expect(store.get(uuidv7())).resolves.toBeNull();
      });

      it("lists only the user's live sessions, oldest first", async () => {
        const userId = uuidv7();
        const older = aSession(clock, { userId, createdAt: clock.now() - 1000 });
        const newer = aSession(clock, { userId });
        const revoked = aSession(clock, { userId });
        for (const s of [newer, older, revoked, aSession(clock)]) await store.create(s);
        await store.revoke(revoked.id);
        const listed = await store.listForUser(userId);
        expect(listed).toEqual([stored(older), stored(newer)]);
      });
    });

    describe('rotate', () => {
      it('makes the next hash current and records lastUsedAt', async () => {
        const session = aSession(clock);
        await store.create(session);
        const [next, now] = [hash(), clock.now() + 5000];
        const result = await store.rotate(session.id, session.refreshHash, next, now);
        expect(result).toEqual({
          status: 'rotated',
          session: stored(session, { lastUsedAt: now }),
        });
        const again = await store.rotate(session.id, next, hash(), now);
        expect(again.status).toBe('rotated');
      });

      it('revokes the whole session when a retired refresh hash comes back', async () => {
        const session = aSession(clock);
        await store.create(session);
        await store.rotate(session.id, session.refreshHash, hash(), clock.now());
        const result = await store.rotate(session.id, session.refreshHash, hash(), clock.now());
        expect(result).toMatchObject({ status: 'reused', session: { id: session.id } });
        await expect(store.get(session.id)).resolves.toBeNull();
        await expect(store.checkAccess(session.id, 'any-jti')).resolves.toBe('session-ended');
      });

      it('lets exactly one of 20 concurrent rotations of one hash succeed', async () => {
        const session = aSession(clock);
        await store.create(session);
        const attempts = Array.from({ length: 20 }, () =>
          store.rotate(session.id, session.refreshHash, hash(), clock.now()),
        );
        const statuses = (await Promise.all(attempts)).map((r) => r.status);
        // The first loser finds the hash retired and ends the session; later ones find no
        // session at all. Either way no second token pair is ever issued.
        expect(statuses.filter((s) => s === 'rotated')).toHaveLength(1);
        expect(statuses.filter((s) => s === 'reused')).toHaveLength(1);
        expect(statuses.filter((s) => s === 'invalid')).toHaveLength(18);
        await expect(store.get(session.id)).resolves.toBeNull();
      });

      it('ignores a hash the session never issued, and the session stays', async () => {
        const session = aSession(clock);
        await store.create(session);
        const result = await store.rotate(session.id, hash(), hash(), clock.now());
        expect(result).toEqual({ status: 'invalid' });
        await expect(store.get(session.id)).resolves.toEqual(stored(session));
        const real = await store.rotate(session.id, session.refreshHash, hash(), clock.now());
        expect(real.status).toBe('rotated');
      });

      it('answers invalid for a session that does not exist', async () => {
        await expect(store.rotate(uuidv7(), hash(), hash(), clock.now())).resolves.toEqual({
          status: 'invalid',
        });
      });
    });

    describe('revocation', () => {
      it('revokes one access token while other tokens of the session stay active', async () => {
        const session = aSession(clock);
        await store.create(session);
        await store.revokeAccessToken(session.id, 'jti-1', clock.now() + HOUR);
        await expect(store.checkAccess(session.id, 'jti-1')).resolves.toBe('token-revoked');
        await expect(store.checkAccess(session.id, 'jti-2')).resolves.toBe('active');
      });

      it('ends a session on revoke, and reports whether it was live', async () => {
        const session = aSession(clock);
        await store.create(session);
        await expect(store.revoke(session.id)).resolves.toBe(true);
        await expect(store.revoke(session.id)).resolves.toBe(false);
        await expect(store.get(session.id)).resolves.toBeNull();
        await expect(store.checkAccess(session.id, 'jti')).resolves.toBe('session-ended');
        const rotated = await store.rotate(session.id, session.refreshHash, hash(), clock.now());
        expect(rotated).toEqual({ status: 'invalid' });
      });

      it("ends all of a user's sessions except the given one", async () => {
        const userId = uuidv7();
        const [keep, a, b] = [1, 2, 3].map(() => aSession(clock, { userId }));
        const other = aSession(clock);
        for (const s of [keep, a, b, other]) await store.create(s);
        const ended = await store.revokeAllForUser(userId, keep.id);
        expect(ended.sort()).toEqual([a.id, b.id].sort());
        await expect(store.listForUser(userId)).resolves.toEqual([stored(keep)]);
        await expect(store.checkAccess(other.id, 'jti')).resolves.toBe('active');
        await expect(store.revokeAllForUser(userId)).resolves.toEqual([keep.id]);
      });
    });

    describe('refreshHashState', () => {
      it('tells the current hash from a retired one and from one never issued', async () => {
        const session = aSession(clock);
        await store.create(session);
        const next = hash();
        await store.rotate(session.id, session.refreshHash, next, clock.now());
        await expect(store.refreshHashState(session.id, next)).resolves.toBe('current');
        await expect(store.refreshHashState(session.id, session.refreshHash)).resolves.toBe(
          'retired',
        );
        await expect(store.refreshHashState(session.id, hash())).resolves.toBe('unknown');
        await expect(store.get(session.id)).resolves.not.toBeNull();
      });

      it('knows no hash of an ended or unknown session', async () => {
        const session = aSession(clock);
        await store.create(session);
        await store.revoke(session.id);
        await expect(store.refreshHashState(session.id, session.refreshHash)).resolves.toBe(
          'unknown',
        );
        await expect(store.refreshHashState(uuidv7(), hash())).resolves.toBe('unknown');
      });
    });

    describe('consumeOnce', () => {
      it('accepts an id the first time only', async () => {
        const id = uuidv7();
        await expect(store.consumeOnce(id, clock.now() + HOUR)).resolves.toBe(true);
        await expect(store.consumeOnce(id, clock.now() + HOUR)).resolves.toBe(false);
        await expect(store.consumeOnce(uuidv7(), clock.now() + HOUR)).resolves.toBe(true);
      });
    });

    describe('expiry', () => {
      it('forgets a session at its expiresAt', async () => {
        const session = aSession(clock, { expiresAt: clock.now() + 300 });
        await store.create(session);
        await expect(store.checkAccess(session.id, 'jti')).resolves.toBe('active');
        await elapse(400);
        await expect(store.get(session.id)).resolves.toBeNull();
        await expect(store.checkAccess(session.id, 'jti')).resolves.toBe('session-ended');
        await expect(store.listForUser(session.userId)).resolves.toEqual([]);
        const rotated = await store.rotate(session.id, session.refreshHash, hash(), clock.now());
        expect(rotated).toEqual({ status: 'invalid' });
      });

      it('lets a revoked access token and a used once-id lapse at their expiresAt', async () => {
        const session = aSession(clock);
        const onceId = uuidv7();
        await store.create(session);
        await store.revokeAccessToken(session.id, 'jti', clock.now() + 300);
        await store.consumeOnce(onceId, clock.now() + 300);
        await elapse(400);
        await expect(store.checkAccess(session.id, 'jti')).resolves.toBe('active');
        await expect(store.consumeOnce(onceId, clock.now() + HOUR)).resolves.toBe(true);
      });
    });
  });
}
