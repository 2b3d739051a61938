// Imported explicitly (not the ambient jest globals) so this file also type-checks under
// tsconfig.build.json, which includes every non-spec file of src/.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { uuidv7 } from '../../common/crypto/ids';
import { ManualClock } from '../../common/time/manual-clock';
import { SOCKET_LEASE_MS, SocketLimits, SocketRef, SocketStore } from '../socket.store';

/** A store under test and the clock it reads (both drivers take lease times from the Clock). */
export interface SocketStoreFixture {
  store: SocketStore;
  clock: ManualClock;
}

const LIMITS: SocketLimits = { perSession: 3, perUser: 5 };

/** A new socket of `userId` in `sessionId` (fresh ids when not given). */
export function aSocket(userId = uuidv7(), sessionId = uuidv7()): SocketRef {
  return { socketId: uuidv7(), userId, sessionId };
}

/** The behaviour every SocketStore driver must have. */
export function describeSocketStoreContract(
  name: string,
  makeFixture: () => SocketStoreFixture | Promise<SocketStoreFixture>,
): void {
  describe(`SocketStore contract: ${name}`, () => {
    let store: SocketStore;
    let clock: ManualClock;
    let userId: string;
    beforeEach(async () => {
      ({ store, clock } = await makeFixture());
      userId = uuidv7();
    });

    /** Admits `count` new sockets of the session one after the other; returns them in order. */
    async function admitMany(count: number, sessionId = uuidv7()): Promise<SocketRef[]> {
      const refs: SocketRef[] = [];
      for (let i = 0; i < count; i++) {
        const ref = aSocket(userId, sessionId);
        expect(await store.admit(ref, LIMITS)).toEqual([]);
        refs.push(ref);
      }
      return refs;
    }
    const ids = (refs: SocketRef[]) => refs.map((r) => r.socketId);

    it('counts sockets in, oldest first, while the caps are not reached', async () => {
      const [first, second] = await admitMany(2);
      await expect(store.list(userId)).resolves.toEqual(ids([first, second]));
      await expect(store.list(userId, first.sessionId)).resolves.toEqual(ids([first, second]));
      await expect(store.list(userId, uuidv7())).resolves.toEqual([]);
    });

    it("evicts the session's oldest socket beyond the per-session cap, never the new one", async () => {
      const sockets = await admitMany(3);
      const fourth = aSocket(userId, sockets[0].sessionId);
      await expect(store.admit(fourth, LIMITS)).resolves.toEqual([sockets[0].socketId]);
      await expect(store.list(userId)).resolves.toEqual(ids([...sockets.slice(1), fourth]));
    });

    it("evicts the user's oldest sockets beyond the per-user cap, whatever their session", async () => {
      const first = await admitMany(3);
      const second = await admitMany(2);
      const third = aSocket(userId);
      await expect(store.admit(third, LIMITS)).resolves.toEqual([first[0].socketId]);
      const fourth = aSocket(userId, third.sessionId);
      await expect(store.admit(fourth, LIMITS)).resolves.toEqual([first[1].socketId]);
      const expected = [first[2], ...second, third, fourth];
      await expect(store.list(userId)).resolves.toEqual(ids(expected));
    });

    it("evicts for the session before the user, so a full session never costs another's socket", async () => {
      const other = await admitMany(2);
      const mine = await admitMany(3);
      const next = aSocket(userId, mine[0].sessionId);
      await expect(store.admit(next, LIMITS)).resolves.toEqual([mine[0].socketId]);
      await expect(store.list(userId)).resolves.toEqual(ids([...other, ...mine.slice(1), next]));
    });

    it('keeps users apart', async () => {
      await admitMany(3);
      await admitMany(2);
      const stranger = aSocket();
      await expect(store.admit(stranger, LIMITS)).resolves.toEqual([]);
      await expect(store.list(stranger.userId)).resolves.toEqual([stranger.socketId]);
      await expect(store.list(userId)).resolves.toHaveLength(5);
    });

    it('stops counting a released socket; releasing twice or an unknown socket is harmless', async () => {
      const [first, second] = await admitMany(2);
      await store.release(first);
      await store.release(first);
      await store.release(aSocket(userId));
      await expect(store.list(userId)).resolves.toEqual([second.socketId]);
      await store.release(second);
      await expect(store.list(userId)).resolves.toEqual([]);
    });

    it('forgets a socket whose lease lapsed (its instance is gone), so it no longer counts', async () => {
      const sockets = await admitMany(3);
      clock.advance(SOCKET_LEASE_MS / 2);
      await expect(store.renew(sockets.slice(1))).resolves.toEqual([]);
      clock.advance(SOCKET_LEASE_MS / 2);
      await expect(store.list(userId)).resolves.toEqual(ids(sockets.slice(1)));
      const next = aSocket(userId, sockets[0].sessionId);
      await expect(store.admit(next, LIMITS)).resolves.toEqual([]);
      await expect(store.list(userId)).resolves.toEqual(ids([...sockets.slice(1), next]));
    });

    it('reports, and never brings back, sockets that are no longer counted', async () => {
      const sockets = await admitMany(3);
      const evicted = sockets[0];
      await store.admit(aSocket(userId, evicted.sessionId), LIMITS);
      clock.advance(SOCKET_LEASE_MS - 1);
      const lapsedLater = aSocket(userId);
      await store.admit(lapsedLater, LIMITS);
      await expect(store.renew(sockets)).resolves.toEqual([evicted.socketId]);
      clock.advance(SOCKET_LEASE_MS);
      await expect(store.renew([lapsedLater, sockets[1]])).resolves.toEqual(
        ids([lapsedLater, sockets[1]]),
      );
      await expect(store.list(userId)).resolves.toEqual([]);
    });

    it('renews the sockets of several users in one call', async () => {
      const mine = await admitMany(1);
      const theirs = aSocket();
      await store.admit(theirs, LIMITS);
      clock.advance(SOCKET_LEASE_MS - 1);
      await expect(store.renew([...mine, theirs])).resolves.toEqual([]);
      clock.advance(SOCKET_LEASE_MS - 1);
      await expect(store.list(userId)).resolves.toEqual(ids(mine));
      await expect(store.list(theirs.userId)).resolves.toEqual([theirs.socketId]);
    });

    it('never counts more than the caps under 60 concurrent admissions', async () => {
      const sessions = [uuidv7(), uuidv7(), uuidv7()];
      const refs = Array.from({ length: 60 }, (_, i) => aSocket(userId, sessions[i % 3]));
      const evicted = (await Promise.all(refs.map((r) => store.admit(r, LIMITS)))).flat();
      const counted = await store.list(userId);
      expect(counted).toHaveLength(LIMITS.perUser);
      for (const sessionId of sessions) {
        expect((await store.list(userId, sessionId)).length).toBeLessThanOrEqual(3);
      }
      // Every socket is either still counted or was evicted exactly once; none was lost.
      expect([...evicted, ...counted].sort()).toEqual(ids(refs).sort());
    });
  });
}
