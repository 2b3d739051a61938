// Imported explicitly (not the ambient jest globals) so this file also type-checks under
// tsconfig.build.json, which includes every non-spec file of src/.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { uuidv7 } from '../../common/crypto/ids';
import { Clock } from '../../common/time/clock';
import { NewSession, RefreshGrace, RotateResult, Session, SessionRef } from '../session';
import { SessionStore } from '../session.store';

/** A store under test plus control of its time: instant for a ManualClock, sleeping for Redis. */
export interface SessionStoreFixture {
  store: SessionStore;
  /** The same store as another app instance sees it (Redis: its own connection). */
  peer: SessionStore;
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
    generation: 0,
    ...overrides,
  };
}

/** Sessions per user in these tests, unless a test is about the cap. */
const CAP = 50;

const ref = (session: Session): SessionRef => ({ userId: session.userId, sessionId: session.id });

/** What a stored session reads back as: the NewSession without its refresh hash. */
function stored(session: NewSession, changes: Partial<Session> = {}): Session {
  const { id, userId, createdAt, lastUsedAt, expiresAt, userAgent, ip, scope } = session;
  return { id, userId, createdAt, lastUsedAt, expiresAt, userAgent, ip, scope, ...changes };
}

/** A grace offer of `client` (a hash, as TokenService passes it) for `ms`, with its own answer. */
function graceOf(clock: Clock, client: string, ms = HOUR): RefreshGrace {
  return { client, sealed: `sealed-${hash()}`, expiresAt: clock.now() + ms };
}

const statusesOf = (results: RotateResult[]) => results.map((r) => r.status);

/** The behaviour every SessionStore driver must have. Expiry tests wait about 400 ms. */
export function describeSessionStoreContract(
  name: string,
  makeFixture: () => SessionStoreFixture | Promise<SessionStoreFixture>,
): void {
  describe(`SessionStore contract: ${name}`, () => {
    let store: SessionStore;
    let peer: SessionStore;
    let clock: Clock;
    let elapse: (ms: number) => Promise<void>;
    beforeEach(async () => {
      ({ store, peer, clock, elapse } = await makeFixture());
    });

    describe('create, get and listForUser', () => {
      it('stores a session that get returns without its refresh hash', async () => {
        const session = aSession(clock, { userAgent: null, ip: null });
        await store.create(session, CAP);
        await expect(store.get(ref(session))).resolves.toEqual(stored(session));
      });

      it('returns null for an unknown session', async () => {
        await expect(store.get({ userId: uuidv7(), sessionId: uuidv7() })).resolves.toBeNull();
      });

      it("lists only the user's live sessions, oldest first", async () => {
        const userId = uuidv7();
        const older = aSession(clock, { userId, createdAt: clock.now() - 1000 });
        const newer = aSession(clock, { userId });
        const revoked = aSession(clock, { userId });
        for (const s of [newer, older, revoked, aSession(clock)]) await store.create(s, CAP);
        await store.revoke(ref(revoked));
        const listed = await store.listForUser(userId);
        expect(listed).toEqual([stored(older), stored(newer)]);
      });
    });

    describe('rotate', () => {
      it('makes the next hash current and records lastUsedAt', async () => {
        const session = aSession(clock);
        await store.create(session, CAP);
        const [next, now] = [hash(), clock.now() + 5000];
        const result = await store.rotate(ref(session), session.refreshHash, next, now);
        expect(result).toEqual({
          status: 'rotated',
          session: stored(session, { lastUsedAt: now }),
        });
        const again = await store.rotate(ref(session), next, hash(), now);
        expect(again.status).toBe('rotated');
      });

      it('revokes the whole session when a retired refresh hash comes back', async () => {
        const session = aSession(clock);
        await store.create(session, CAP);
        await store.rotate(ref(session), session.refreshHash, hash(), clock.now());
        const result = await store.rotate(ref(session), session.refreshHash, hash(), clock.now());
        expect(result).toMatchObject({ status: 'reused', session: { id: session.id } });
        await expect(store.get(ref(session))).resolves.toBeNull();
        await expect(store.checkAccess(ref(session), 'any-jti')).resolves.toBe('session-ended');
      });

      it('lets exactly one of 20 concurrent rotations of one hash succeed', async () => {
        const session = aSession(clock);
        await store.create(session, CAP);
        const attempts = Array.from({ length: 20 }, () =>
          store.rotate(ref(session), session.refreshHash, hash(), clock.now()),
        );
        const statuses = (await Promise.all(attempts)).map((r) => r.status);
        // The first loser finds the hash retired and ends the session; later ones find no
        // session at all. Either way no second token pair is ever issued.
        expect(statuses.filter((s) => s === 'rotated')).toHaveLength(1);
        expect(statuses.filter((s) => s === 'reused')).toHaveLength(1);
        expect(statuses.filter((s) => s === 'invalid')).toHaveLength(18);
        await expect(store.get(ref(session))).resolves.toBeNull();
      });

      it('ignores a hash the session never issued, and the session stays', async () => {
        const session = aSession(clock);
        await store.create(session, CAP);
        const result = await store.rotate(ref(session), hash(), hash(), clock.now());
        expect(result).toEqual({ status: 'invalid' });
        await expect(store.get(ref(session))).resolves.toEqual(stored(session));
        const real = await store.rotate(ref(session), session.refreshHash, hash(), clock.now());
        expect(real.status).toBe('rotated');
      });

      it('answers invalid for a session that does not exist', async () => {
        await expect(
          store.rotate({ userId: uuidv7(), sessionId: uuidv7() }, hash(), hash(), clock.now()),
        ).resolves.toEqual({
          status: 'invalid',
        });
      });
    });

    describe('rotate within a refresh grace window', () => {
      it('answers the retired hash from the same client with what its rotation kept, and changes nothing', async () => {
        const session = aSession(clock);
        await store.create(session, CAP);
        const [next, now, first] = [hash(), clock.now() + 5000, graceOf(clock, 'client-a')];
        await store.rotate(ref(session), session.refreshHash, next, now, null, first);
        const retry = graceOf(clock, 'client-a');
        const again = await peer.rotate(
          ref(session),
          session.refreshHash,
          hash(),
          now + 1,
          null,
          retry,
        );
        expect(again).toEqual({
          status: 'grace',
          session: stored(session, { lastUsedAt: now }),
          sealed: first.sealed,
        });
        await expect(store.refreshHashState(ref(session), next)).resolves.toBe('current');
        const onwards = await store.rotate(ref(session), next, hash(), now + 2);
        expect(onwards.status).toBe('rotated');
      });

      it.each([
        ['another client', graceOf],
        ['a client without an identity', () => undefined],
      ])('ends the session when %s presents the retired hash', async (_, offer) => {
        const session = aSession(clock);
        await store.create(session, CAP);
        const grace = graceOf(clock, 'client-a');
        await store.rotate(ref(session), session.refreshHash, hash(), clock.now(), null, grace);
        const other = offer(clock, 'client-b');
        const result = await peer.rotate(
          ref(session),
          session.refreshHash,
          hash(),
          clock.now(),
          null,
          other,
        );
        expect(result).toMatchObject({ status: 'reused', session: { id: session.id } });
        await expect(store.checkAccess(ref(session), 'jti')).resolves.toBe('session-ended');
        const late = await store.rotate(
          ref(session),
          session.refreshHash,
          hash(),
          clock.now(),
          null,
          grace,
        );
        expect(late).toEqual({ status: 'invalid' });
      });

      it('ends the session when the retired hash comes back after the window', async () => {
        const session = aSession(clock);
        await store.create(session, CAP);
        const grace = graceOf(clock, 'client-a', 300);
        await store.rotate(ref(session), session.refreshHash, hash(), clock.now(), null, grace);
        await elapse(400);
        const result = await store.rotate(
          ref(session),
          session.refreshHash,
          hash(),
          clock.now(),
          null,
          {
            ...grace,
            expiresAt: clock.now() + HOUR,
          },
        );
        expect(result.status).toBe('reused');
        await expect(store.get(ref(session))).resolves.toBeNull();
      });

      it.each([
        ['a later rotation with a grace offer', true],
        ['a later rotation without one', false],
      ])('keeps only the latest answer: %s makes the older hash reuse', async (_, offered) => {
        const session = aSession(clock);
        await store.create(session, CAP);
        const grace = graceOf(clock, 'client-a');
        const next = hash();
        await store.rotate(ref(session), session.refreshHash, next, clock.now(), null, grace);
        const later = offered ? graceOf(clock, 'client-a') : undefined;
        await store.rotate(ref(session), next, hash(), clock.now(), null, later);
        const old = await peer.rotate(
          ref(session),
          session.refreshHash,
          hash(),
          clock.now(),
          null,
          grace,
        );
        expect(old.status).toBe('reused');
        await expect(store.get(ref(session))).resolves.toBeNull();
      });

      it('gives 20 concurrent presentations of one hash by one client, on two instances, one rotation and its one answer, 50 times over', async () => {
        for (let trial = 0; trial < 50; trial++) {
          const session = aSession(clock);
          await store.create(session, CAP);
          const offers = Array.from({ length: 20 }, () => ({
            next: hash(),
            ...graceOf(clock, 'c'),
          }));
          const results = await Promise.all(
            offers.map(({ next, ...grace }, i) =>
              (i % 2 ? peer : store).rotate(
                ref(session),
                session.refreshHash,
                next,
                clock.now(),
                null,
                grace,
              ),
            ),
          );
          const winner = statusesOf(results).indexOf('rotated');
          expect(statusesOf(results).filter((s) => s === 'rotated')).toHaveLength(1);
          expect(statusesOf(results).filter((s) => s === 'grace')).toHaveLength(19);
          const sealed = results.map((r) => (r.status === 'grace' ? r.sealed : undefined));
          expect(new Set(sealed.filter(Boolean))).toEqual(new Set([offers[winner].sealed]));
          await expect(store.refreshHashState(ref(session), offers[winner].next)).resolves.toBe(
            'current',
          );
        }
      });

      it('ends the session once another client presents the hash, however the 20 interleave, 50 times over', async () => {
        for (let trial = 0; trial < 50; trial++) {
          const session = aSession(clock);
          await store.create(session, CAP);
          const results = await Promise.all(
            Array.from({ length: 20 }, (_, i) =>
              (i % 2 ? peer : store).rotate(
                ref(session),
                session.refreshHash,
                hash(),
                clock.now(),
                // Interleaved differently each trial: which client comes first varies.
                null,
                graceOf(clock, (i + trial) % 3 === 0 ? 'client-b' : 'client-a'),
              ),
            ),
          );
          // Presentations of the client that did not rotate follow the rotation: the first one
          // ends the session. Nothing but one rotation's answer is ever handed out.
          expect(statusesOf(results).filter((s) => s === 'rotated')).toHaveLength(1);
          expect(statusesOf(results).filter((s) => s === 'reused')).toHaveLength(1);
          await expect(store.get(ref(session))).resolves.toBeNull();
        }
      });
    });

    describe('revocation', () => {
      it('revokes one access token while other tokens of the session stay active', async () => {
        const session = aSession(clock);
        await store.create(session, CAP);
        await store.revokeAccessToken(ref(session), 'jti-1', clock.now() + HOUR);
        await expect(store.checkAccess(ref(session), 'jti-1')).resolves.toBe('token-revoked');
        await expect(store.checkAccess(ref(session), 'jti-2')).resolves.toBe('active');
      });

      it('ends a session on revoke, and reports whether it was live', async () => {
        const session = aSession(clock);
        await store.create(session, CAP);
        await expect(store.revoke(ref(session))).resolves.toBe(true);
        await expect(store.revoke(ref(session))).resolves.toBe(false);
        await expect(store.get(ref(session))).resolves.toBeNull();
        await expect(store.checkAccess(ref(session), 'jti')).resolves.toBe('session-ended');
        const rotated = await store.rotate(ref(session), session.refreshHash, hash(), clock.now());
        expect(rotated).toEqual({ status: 'invalid' });
      });

      it("ends all of a user's sessions except the given one", async () => {
        const userId = uuidv7();
        const [keep, a, b] = [1, 2, 3].map(() => aSession(clock, { userId }));
        const other = aSession(clock);
        for (const s of [keep, a, b, other]) await store.create(s, CAP);
        const ended = await store.revokeAllForUser(userId, keep.id);
        expect(ended.sort()).toEqual([a.id, b.id].sort());
        await expect(store.listForUser(userId)).resolves.toEqual([stored(keep)]);
        await expect(store.checkAccess(ref(other), 'jti')).resolves.toBe('active');
        await expect(store.revokeAllForUser(userId)).resolves.toEqual([keep.id]);
      });
    });

    describe('refreshHashState', () => {
      it('tells the current hash from a retired one and from one never issued', async () => {
        const session = aSession(clock);
        await store.create(session, CAP);
        const next = hash();
        await store.rotate(ref(session), session.refreshHash, next, clock.now());
        await expect(store.refreshHashState(ref(session), next)).resolves.toBe('current');
        await expect(store.refreshHashState(ref(session), session.refreshHash)).resolves.toBe(
          'retired',
        );
        await expect(store.refreshHashState(ref(session), hash())).resolves.toBe('unknown');
        await expect(store.get(ref(session))).resolves.not.toBeNull();
      });

      it('knows no hash of an ended or unknown session', async () => {
        const session = aSession(clock);
        await store.create(session, CAP);
        await store.revoke(ref(session));
        await expect(store.refreshHashState(ref(session), session.refreshHash)).resolves.toBe(
          'unknown',
        );
        await expect(
          store.refreshHashState({ userId: uuidv7(), sessionId: uuidv7() }, hash()),
        ).resolves.toBe('unknown');
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
        await store.create(session, CAP);
        await expect(store.checkAccess(ref(session), 'jti')).resolves.toBe('active');
        await elapse(400);
        await expect(store.get(ref(session))).resolves.toBeNull();
        await expect(store.checkAccess(ref(session), 'jti')).resolves.toBe('session-ended');
        await expect(store.listForUser(session.userId)).resolves.toEqual([]);
        const rotated = await store.rotate(ref(session), session.refreshHash, hash(), clock.now());
        expect(rotated).toEqual({ status: 'invalid' });
      });

      it('lets a revoked access token and a used once-id lapse at their expiresAt', async () => {
        const session = aSession(clock);
        const onceId = uuidv7();
        await store.create(session, CAP);
        await store.revokeAccessToken(ref(session), 'jti', clock.now() + 300);
        await store.consumeOnce(onceId, clock.now() + 300);
        await elapse(400);
        await expect(store.checkAccess(ref(session), 'jti')).resolves.toBe('active');
        await expect(store.consumeOnce(onceId, clock.now() + HOUR)).resolves.toBe(true);
      });
    });

    describe('credential generation: a session ends for good', () => {
      it('moves the generation on with every revokeAllForUser', async () => {
        const userId = uuidv7();
        await expect(store.generation(userId)).resolves.toBe(0);
        await store.revokeAllForUser(userId);
        await store.revokeAllForUser(userId);
        await expect(store.generation(userId)).resolves.toBe(2);
      });

      it('refuses to create a session under a generation that has moved on', async () => {
        const userId = uuidv7();
        const generation = await store.generation(userId);
        await store.revokeAllForUser(userId);
        const session = aSession(clock, { userId, generation });
        await expect(store.create(session, CAP)).resolves.toEqual({ status: 'stale' });
        await expect(store.get(ref(session))).resolves.toBeNull();
        await expect(store.listForUser(userId)).resolves.toEqual([]);
        const fresh = aSession(clock, { userId, generation: await store.generation(userId) });
        await expect(store.create(fresh, CAP)).resolves.toEqual({ status: 'created', evicted: [] });
      });

      it('keeps the excepted session working across the bump', async () => {
        const userId = uuidv7();
        const keep = aSession(clock, { userId });
        await store.create(keep, CAP);
        await store.revokeAllForUser(userId, keep.id);
        await expect(store.checkAccess(ref(keep), 'jti')).resolves.toBe('active');
        const rotated = await store.rotate(ref(keep), keep.refreshHash, hash(), clock.now());
        expect(rotated.status).toBe('rotated');
        await expect(store.listForUser(userId)).resolves.toHaveLength(1);
      });

      it('never finds a session under another user', async () => {
        const session = aSession(clock);
        await store.create(session, CAP);
        const elsewhere = { userId: uuidv7(), sessionId: session.id };
        await expect(store.get(elsewhere)).resolves.toBeNull();
        await expect(store.checkAccess(elsewhere, 'jti')).resolves.toBe('session-ended');
        await expect(store.revoke(elsewhere)).resolves.toBe(false);
        await expect(store.get(ref(session))).resolves.not.toBeNull();
      });

      it.each([
        ['logins racing a logout-all', false],
        ['logins racing a session listing and a logout-all', true],
      ])('leaves no survivor of %s on two instances, 60 times over', async (_, listing) => {
        for (let trial = 0; trial < 60; trial++) {
          const userId = uuidv7();
          // Each login reads the generation before its (slow) credential check, as AuthService
          // does; the end-all lands somewhere among their creates.
          const logins = await Promise.all(
            Array.from({ length: 6 }, async () => {
              const generation = await store.generation(userId);
              return aSession(clock, { userId, generation });
            }),
          );
          const ops: (() => Promise<unknown>)[] = logins.map(
            (s, i) => () => (i % 2 ? store : peer).create(s, CAP),
          );
          if (listing) ops.push(() => store.listForUser(userId));
          ops.splice(trial % (ops.length + 1), 0, () => peer.revokeAllForUser(userId));
          await Promise.all(ops.map((op) => op()));
          await expect(store.listForUser(userId)).resolves.toEqual([]);
          for (const s of logins) {
            await expect(store.checkAccess(ref(s), 'jti')).resolves.toBe('session-ended');
            await expect(peer.rotate(ref(s), s.refreshHash, hash(), clock.now())).resolves.toEqual({
              status: 'invalid',
            });
          }
        }
      });
    });

    describe('sessions per user', () => {
      it('ends the least recently used sessions beyond the cap, and lists at most the cap', async () => {
        const userId = uuidv7();
        const sessions: NewSession[] = [];
        for (let i = 0; i < 3; i++) {
          const s = aSession(clock, { userId, lastUsedAt: clock.now() - 1000 * (10 - i) });
          sessions.push(s);
          await store.create(s, 3);
        }
        // The oldest one is used again, so the second oldest is now the least recently used.
        await store.rotate(ref(sessions[0]), sessions[0].refreshHash, hash(), clock.now());
        const fourth = aSession(clock, { userId });
        await expect(store.create(fourth, 3)).resolves.toEqual({
          status: 'created',
          evicted: [sessions[1].id],
        });
        await expect(store.checkAccess(ref(sessions[1]), 'jti')).resolves.toBe('session-ended');
        const listed = (await store.listForUser(userId)).map((s) => s.id).sort();
        expect(listed).toEqual([sessions[0].id, sessions[2].id, fourth.id].sort());
      });

      it('never holds more than the cap under 60 concurrent logins on two instances', async () => {
        const userId = uuidv7();
        const created = await Promise.all(
          Array.from({ length: 60 }, (_, i) =>
            (i % 2 ? store : peer).create(aSession(clock, { userId }), 5),
          ),
        );
        expect(created.every((c) => c.status === 'created')).toBe(true);
        await expect(store.listForUser(userId)).resolves.toHaveLength(5);
      });
    });

    describe('DPoP binding (RFC 9449)', () => {
      it('binds a session at its first rotation with a key, then rotates only with that key', async () => {
        const session = aSession(clock);
        await store.create(session, CAP);
        const second = hash();
        const rotated = await store.rotate(
          ref(session),
          session.refreshHash,
          second,
          clock.now(),
          'jkt-1',
        );
        expect(rotated).toMatchObject({ status: 'rotated', session: { jkt: 'jkt-1' } });
        const third = hash();
        for (const jkt of [null, 'jkt-2']) {
          await expect(
            store.rotate(ref(session), second, third, clock.now(), jkt),
          ).resolves.toEqual({
            status: 'dpop-mismatch',
          });
        }
        // Nothing changed: the current hash is still current, no reuse was detected.
        await expect(store.refreshHashState(ref(session), second)).resolves.toBe('current');
        await expect(
          store.rotate(ref(session), second, third, clock.now(), 'jkt-1'),
        ).resolves.toMatchObject({
          status: 'rotated',
        });
        // A retired hash without the key changes nothing either (no revocation by a thief).
        await expect(
          store.rotate(ref(session), second, hash(), clock.now(), null),
        ).resolves.toEqual({
          status: 'dpop-mismatch',
        });
        await expect(store.get(ref(session))).resolves.toMatchObject({ jkt: 'jkt-1' });
      });

      it('keeps the key a session was created with', async () => {
        const session = aSession(clock, { jkt: 'jkt-0' });
        await store.create(session, CAP);
        await expect(store.get(ref(session))).resolves.toMatchObject({ jkt: 'jkt-0' });
        await expect(
          store.rotate(ref(session), session.refreshHash, hash(), clock.now(), 'jkt-9'),
        ).resolves.toEqual({ status: 'dpop-mismatch' });
      });

      it('marks a proof used with the access check, once, over every instance', async () => {
        const session = aSession(clock);
        await store.create(session, CAP);
        const proof = { id: hash(), until: clock.now() + 60_000 };
        const checks = await Promise.all(
          [store, peer, store, peer].map((s) => s.checkAccess(ref(session), 'jti-1', proof)),
        );
        expect([...checks].sort()).toEqual([
          'active',
          'proof-replayed',
          'proof-replayed',
          'proof-replayed',
        ]);
        await expect(
          store.checkAccess(ref(session), 'jti-1', { id: hash(), until: proof.until }),
        ).resolves.toBe('active');
        await expect(store.checkAccess(ref(session), 'jti-1')).resolves.toBe('active');
      });

      it('checks the session before the proof: an ended session is ended, whatever the proof', async () => {
        const session = aSession(clock);
        await store.create(session, CAP);
        await store.revoke(ref(session));
        const proof = { id: hash(), until: clock.now() + 60_000 };
        await expect(store.checkAccess(ref(session), 'jti-1', proof)).resolves.toBe(
          'session-ended',
        );
      });
    });

    describe('known devices', () => {
      it('knows a remembered device until the generation moves on', async () => {
        const userId = uuidv7();
        const until = clock.now() + HOUR;
        await expect(store.rememberDevice(userId, 'd1', 0, until, 10)).resolves.toBe(true);
        await expect(store.isKnownDevice(userId, 'd1')).resolves.toBe(true);
        await expect(store.isKnownDevice(uuidv7(), 'd1')).resolves.toBe(false);
        await store.revokeAllForUser(userId);
        await expect(store.isKnownDevice(userId, 'd1')).resolves.toBe(false);
        await expect(store.rememberDevice(userId, 'd2', 0, until, 10)).resolves.toBe(false);
        await expect(store.isKnownDevice(userId, 'd2')).resolves.toBe(false);
      });

      it('keeps only the newest devices', async () => {
        const userId = uuidv7();
        for (let i = 1; i <= 4; i++) {
          await store.rememberDevice(userId, `d${i}`, 0, clock.now() + HOUR + i, 3);
        }
        const known = await Promise.all(
          [1, 2, 3, 4].map((i) => store.isKnownDevice(userId, `d${i}`)),
        );
        expect(known).toEqual([false, true, true, true]);
      });

      it('forgets a device at its expiry', async () => {
        const userId = uuidv7();
        await store.rememberDevice(userId, 'd1', 0, clock.now() + 300, 10);
        await elapse(400);
        await expect(store.isKnownDevice(userId, 'd1')).resolves.toBe(false);
      });
    });
  });
}
