// Imported explicitly (not the ambient jest globals) so this file also type-checks under
// tsconfig.build.json, which includes every non-spec file of src/.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { uuidv7 } from '../../../common/crypto/ids';
import { PasswordResetStore } from '../password-reset.store';

/** A store under test plus control of its time: instant for a ManualClock, sleeping for Redis. */
export interface PasswordResetStoreFixture {
  store: PasswordResetStore;
  /** Lets `ms` pass for the store's notion of expiry. */
  elapse(ms: number): Promise<void>;
}

const HALF_HOUR = 1_800_000;
const aHash = () => randomBytes(32).toString('base64url');

/** The behaviour every PasswordResetStore driver must have. */
export function describePasswordResetStoreContract(
  name: string,
  makeFixture: () => PasswordResetStoreFixture | Promise<PasswordResetStoreFixture>,
): void {
  describe(`PasswordResetStore contract: ${name}`, () => {
    let store: PasswordResetStore;
    let elapse: (ms: number) => Promise<void>;
    beforeEach(async () => {
      ({ store, elapse } = await makeFixture());
    });

    it('gives a saved token back once, with the fingerprint it is bound to, then never again', async () => {
      const [userId, hash] = [uuidv7(), aHash()];
      await store.save(userId, hash, 'fingerprint-1', HALF_HOUR);
      await expect(store.take(userId, hash)).resolves.toBe('fingerprint-1');
      await expect(store.take(userId, hash)).resolves.toBeNull();
      await expect(store.find(userId, hash)).resolves.toBeNull();
    });

    it('finds a token without using it up', async () => {
      const [userId, hash] = [uuidv7(), aHash()];
      await store.save(userId, hash, 'fingerprint-1', HALF_HOUR);
      await expect(store.find(userId, hash)).resolves.toBe('fingerprint-1');
      await expect(store.find(userId, hash)).resolves.toBe('fingerprint-1');
      await expect(store.take(userId, hash)).resolves.toBe('fingerprint-1');
    });

    it('knows no token it was not given, nor one under another user', async () => {
      const [userId, hash] = [uuidv7(), aHash()];
      await store.save(userId, hash, 'f', HALF_HOUR);
      await expect(store.find(userId, aHash())).resolves.toBeNull();
      await expect(store.take(userId, aHash())).resolves.toBeNull();
      await expect(store.find(uuidv7(), hash)).resolves.toBeNull();
      await expect(store.take(uuidv7(), hash)).resolves.toBeNull();
      await expect(store.take(userId, hash)).resolves.toBe('f');
    });

    it('keeps several tokens of one user apart', async () => {
      const userId = uuidv7();
      const [first, second] = [aHash(), aHash()];
      await store.save(userId, first, 'old', HALF_HOUR);
      await store.save(userId, second, 'new', HALF_HOUR);
      await expect(store.take(userId, second)).resolves.toBe('new');
      await expect(store.take(userId, first)).resolves.toBe('old');
    });

    it('forgets a token once it expires, to find and to take', async () => {
      const [userId, hash, kept] = [uuidv7(), aHash(), aHash()];
      await store.save(userId, hash, 'f', 300);
      await store.save(userId, kept, 'f', HALF_HOUR);
      await elapse(450);
      await expect(store.find(userId, hash)).resolves.toBeNull();
      await expect(store.take(userId, hash)).resolves.toBeNull();
      await expect(store.take(userId, kept)).resolves.toBe('f');
    });

    it('gives a token to exactly one of two concurrent resets, and one of 50 takes', async () => {
      const [userId, hash, other] = [uuidv7(), aHash(), aHash()];
      await store.save(userId, hash, 'f', HALF_HOUR);
      await store.save(userId, other, 'f', HALF_HOUR);
      // Two resets: each finds the token (not used up), then both take it; one wins.
      const found = await Promise.all([store.find(userId, hash), store.find(userId, hash)]);
      expect(found).toEqual(['f', 'f']);
      const pair = await Promise.all([store.take(userId, hash), store.take(userId, hash)]);
      expect(pair.filter((f) => f !== null)).toEqual(['f']);
      const taken = await Promise.all(Array.from({ length: 50 }, () => store.take(userId, other)));
      expect(taken.filter((f) => f !== null)).toEqual(['f']);
    });
  });
}
