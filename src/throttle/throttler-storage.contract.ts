// Imported explicitly (not the ambient jest globals) so this file also type-checks under
// tsconfig.build.json, which includes every non-spec file of src/.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { ThrottlerStorage } from '@nestjs/throttler';
import { randomBytes } from 'node:crypto';

/** A storage under test plus control of its time: instant for a ManualClock, sleeping for Redis. */
export interface ThrottlerStorageFixture {
  storage: ThrottlerStorage;
  elapse(ms: number): Promise<void>;
}

const WINDOW = 400;
const BLOCK = 600;

/** The behaviour every ThrottlerStorage driver must have. Expiry tests wait about a second. */
export function describeThrottlerStorageContract(
  name: string,
  makeFixture: () => ThrottlerStorageFixture | Promise<ThrottlerStorageFixture>,
): void {
  describe(`ThrottlerStorage contract: ${name}`, () => {
    let storage: ThrottlerStorage;
    let elapse: (ms: number) => Promise<void>;
    let key: string;
    beforeEach(async () => {
      ({ storage, elapse } = await makeFixture());
      key = randomBytes(6).toString('hex');
    });

    const hit = (limit = 3, block = BLOCK) => storage.increment(key, WINDOW, limit, block, 'test');

    it('lets `limit` hits pass in a window, counting each', async () => {
      const records = [await hit(), await hit(), await hit()];
      expect(records.map((r) => [r.totalHits, r.isBlocked])).toEqual([
        [1, false],
        [2, false],
        [3, false],
      ]);
      expect(records[2].timeToExpire).toBe(1);
    });

    it('blocks the hit over the limit for the block duration, in whole seconds', async () => {
      for (let i = 0; i < 3; i++) await hit();
      const over = await hit();
      expect({ blocked: over.isBlocked, retry: over.timeToBlockExpire }).toEqual({
        blocked: true,
        retry: 1,
      });
      expect((await hit()).isBlocked).toBe(true);
    });

    it('counts every one of many concurrent hits exactly once', async () => {
      const records = await Promise.all(Array.from({ length: 30 }, () => hit(20)));
      expect(records.filter((r) => !r.isBlocked)).toHaveLength(20);
      expect(records.filter((r) => r.isBlocked)).toHaveLength(10);
    });

    it('starts a fresh window once the block is over', async () => {
      for (let i = 0; i < 4; i++) await hit();
      await elapse(BLOCK + 100);
      const after = await hit();
      expect({ hits: after.totalHits, blocked: after.isBlocked }).toEqual({
        hits: 1,
        blocked: false,
      });
    });

    it('forgets the hits of a window that has passed', async () => {
      for (let i = 0; i < 3; i++) await hit();
      await elapse(WINDOW + 100);
      expect((await hit()).totalHits).toBe(1);
    });

    it('keeps trackers and throttler names apart', async () => {
      for (let i = 0; i < 4; i++) await hit();
      const other = await storage.increment(`${key}-other`, WINDOW, 3, BLOCK, 'test');
      const otherName = await storage.increment(key, WINDOW, 3, BLOCK, 'other');
      expect([other.isBlocked, otherName.isBlocked]).toEqual([false, false]);
    });

    it('refuses until the window ends when the block duration is zero', async () => {
      for (let i = 0; i < 3; i++) await hit(3, 0);
      expect((await hit(3, 0)).isBlocked).toBe(true);
      await elapse(WINDOW + 100);
      expect((await hit(3, 0)).isBlocked).toBe(false);
    });
  });
}
