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

    async function failTimes(counter: Counter, times: number) {
      for (let i = 0; i < times - 1; i++) await store.fail([counter], WINDOW);
      return (await store.fail([counter], WINDOW))[0];
    }

    it('reads an unknown counter as empty and unlocked', async () => {
      const [state] = await store.read([aCounter()]);
      expect({ count: state.count, retryAfterMs: state.retryAfterMs }).toEqual({
        count: 0,
        retryAfterMs: 0,
      });
      expect(isLocked(state)).toBe(false);
    });

    it('locks a counter when its failures reach the limit, for the rest of its window', async () => {
      const counter = aCounter(3);
      const second = await failTimes(counter, 2);
      expect(second.count).toBe(2);
      expect(isLocked(second)).toBe(false);
      await store.fail([counter], WINDOW);
      const [state] = await store.read([counter]);
      expect(state.count).toBe(3);
      expect(isLocked(state)).toBe(true);
      expect(state.retryAfterMs).toBeGreaterThan(0);
      expect(state.retryAfterMs).toBeLessThanOrEqual(WINDOW);
    });

    it('counts every one of many concurrent failures', async () => {
      const counter = aCounter(100);
      await Promise.all(Array.from({ length: 40 }, () => store.fail([counter], WINDOW)));
      await expect(store.read([counter])).resolves.toEqual([
        expect.objectContaining({ count: 40 }),
      ]);
    });

    it('restarts the window when the lock starts, so a lock lasts a whole window', async () => {
      const counter = aCounter(2);
      await store.fail([counter], WINDOW);
      await elapse(WINDOW - 150);
      const locked = (await store.fail([counter], WINDOW))[0];
      expect(locked.retryAfterMs).toBeGreaterThan(WINDOW - 100);
      await elapse(200);
      expect(isLocked((await store.read([counter]))[0])).toBe(true);
    });

    it('forgets a counter once its window has passed', async () => {
      const counter = aCounter(1);
      await store.fail([counter], WINDOW);
      await elapse(WINDOW + 100);
      const [state] = await store.read([counter]);
      expect({ count: state.count, locked: isLocked(state) }).toEqual({ count: 0, locked: false });
    });

    it('counts each counter of one call separately and resets only the named ones', async () => {
      const [a, b] = [aCounter(5), aCounter(5)];
      await store.fail([a, b], WINDOW);
      await store.fail([b], WINDOW);
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
