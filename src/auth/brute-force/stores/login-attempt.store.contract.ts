// Imported explicitly (not the ambient jest globals) so this file also type-checks under
// tsconfig.build.json, which includes every non-spec file of src/.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Counter, isLocked, LoginAttemptStore } from '../login-attempt.store';

/** A store under test plus control of its time: instant for a ManualClock, sleeping for Redis. */
export interface LoginAttemptStoreFixture {
  store: LoginAttemptStore;
  /** Lets `ms` pass for the store's notion of expiry. */
  elapse(ms: number): Promise<void>;
}

const WINDOW = 400;
const aCounter = (limit = 3): Counter => ({ key: randomBytes(6).toString('hex'), limit });

/** The behaviour every LoginAttemptStore driver must have. Expiry tests wait about 500 ms. */
export function describeLoginAttemptStoreContract(
  name: string,
  makeFixture: () => LoginAttemptStoreFixture | Promise<LoginAttemptStoreFixture>,
): void {
  describe(`LoginAttemptStore contract: ${name}`, () => {
    let store: LoginAttemptStore;
    let elapse: (ms: number) => Promise<void>;
    beforeEach(async () => {
      ({ store, elapse } = await makeFixture());
    });

    async function reserveTimes(counter: Counter, times: number) {
      for (let i = 0; i < times - 1; i++) await store.reserve([counter], WINDOW);
      return store.reserve([counter], WINDOW);
    }

    it('reads an unknown counter as empty and unlocked', async () => {
      const [state] = await store.read([aCounter()]);
      expect({ count: state.count, retryAfterMs: state.retryAfterMs }).toEqual({
        count: 0,
        retryAfterMs: 0,
      });
      expect(isLocked(state)).toBe(false);
    });

    it('admits and counts up to the limit, then refuses without counting, for the rest of its window', async () => {
      const counter = aCounter(3);
      const second = await reserveTimes(counter, 2);
      expect(second.admitted).toBe(true);
      expect(second.states[0].count).toBe(2);
      expect(isLocked(second.states[0])).toBe(false);
      const third = await store.reserve([counter], WINDOW);
      expect({ admitted: third.admitted, count: third.states[0].count }).toEqual({
        admitted: true,
        count: 3,
      });
      const refused = await store.reserve([counter], WINDOW);
      expect(refused.admitted).toBe(false);
      expect(refused.states[0].count).toBe(3);
      expect(isLocked(refused.states[0])).toBe(true);
      expect(refused.states[0].retryAfterMs).toBeGreaterThan(0);
      expect(refused.states[0].retryAfterMs).toBeLessThanOrEqual(WINDOW);
    });

    it('admits exactly `limit` of many concurrent reservations', async () => {
      const counter = aCounter(5);
      const outcomes = await Promise.all(
        Array.from({ length: 40 }, () => store.reserve([counter], WINDOW)),
      );
      expect(outcomes.filter((o) => o.admitted)).toHaveLength(5);
      await expect(store.read([counter])).resolves.toEqual([expect.objectContaining({ count: 5 })]);
    });

    it('refuses the whole set when one counter is at its limit and counts none of them', async () => {
      const [open, full] = [aCounter(5), aCounter(1)];
      await store.reserve([full], WINDOW);
      const refused = await store.reserve([open, full], WINDOW);
      expect(refused.admitted).toBe(false);
      expect(isLocked(refused.states[1])).toBe(true);
      expect((await store.read([open, full])).map((s) => s.count)).toEqual([0, 1]);
    });

    it('restarts the window when the lock starts, so a lock lasts a whole window', async () => {
      const counter = aCounter(2);
      await store.reserve([counter], WINDOW);
      await elapse(WINDOW - 150);
      const locked = (await store.reserve([counter], WINDOW)).states[0];
      expect(locked.retryAfterMs).toBeGreaterThan(WINDOW - 100);
      await elapse(200);
      expect(isLocked((await store.read([counter]))[0])).toBe(true);
    });

    it('forgets a counter once its window has passed', async () => {
      const counter = aCounter(1);
      await store.reserve([counter], WINDOW);
      await elapse(WINDOW + 100);
      const [state] = await store.read([counter]);
      expect({ count: state.count, locked: isLocked(state) }).toEqual({ count: 0, locked: false });
      await expect(store.reserve([counter], WINDOW)).resolves.toMatchObject({ admitted: true });
    });

    it('takes a reservation back on refund, never below 0 and never reviving a gone counter', async () => {
      const [counted, once, gone] = [aCounter(5), aCounter(5), aCounter(5)];
      await reserveTimes(counted, 3);
      await store.reserve([once], WINDOW);
      await store.refund([counted.key, once.key, once.key, gone.key]);
      const states = await store.read([counted, once, gone]);
      expect(states.map((s) => s.count)).toEqual([2, 0, 0]);
      // A refund below 0 or on a gone counter would grant extra attempts later.
      for (const counter of [once, gone]) {
        const fifth = await reserveTimes(counter, 5);
        expect(fifth.states[0].count).toBe(5);
        await expect(store.reserve([counter], WINDOW)).resolves.toMatchObject({ admitted: false });
      }
    });

    it('unlocks a counter whose limit-reaching reservation is refunded', async () => {
      const counter = aCounter(2);
      await reserveTimes(counter, 2);
      await store.refund([counter.key]);
      await expect(store.reserve([counter], WINDOW)).resolves.toMatchObject({ admitted: true });
    });

    it('counts each counter of one call separately and resets only the named ones', async () => {
      const [a, b] = [aCounter(5), aCounter(5)];
      await store.reserve([a, b], WINDOW);
      await store.reserve([b], WINDOW);
      await store.reset([a.key]);
      const states = await store.read([a, b]);
      expect(states.map((s) => s.count)).toEqual([0, 2]);
    });

    it('hands every caller the same 32-byte device secret', async () => {
      const [first, second] = await Promise.all([store.deviceSecret(), store.deviceSecret()]);
      expect(first).toHaveLength(32);
      expect(second.equals(first)).toBe(true);
    });
  });
}
