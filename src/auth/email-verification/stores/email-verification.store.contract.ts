// Imported explicitly (not the ambient jest globals) so this file also type-checks under
// tsconfig.build.json, which includes every non-spec file of src/.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { uuidv7 } from '../../../common/crypto/ids';
import { EmailVerificationStore } from '../email-verification.store';

/** A store under test plus control of its time: instant for a ManualClock, sleeping for Redis. */
export interface EmailVerificationStoreFixture {
  store: EmailVerificationStore;
  /** Lets `ms` pass for the store's notion of expiry. */
  elapse(ms: number): Promise<void>;
}

const DAY = 86_400_000;
const aHash = () => randomBytes(32).toString('base64url');

/** The behaviour every EmailVerificationStore driver must have. */
export function describeEmailVerificationStoreContract(
  name: string,
  makeFixture: () => EmailVerificationStoreFixture | Promise<EmailVerificationStoreFixture>,
): void {
  describe(`EmailVerificationStore contract: ${name}`, () => {
    let store: EmailVerificationStore;
    let elapse: (ms: number) => Promise<void>;
    beforeEach(async () => {
      ({ store, elapse } = await makeFixture());
    });

    it('gives a saved token back once, with the email it is bound to, then never again', async () => {
      const [userId, hash] = [uuidv7(), aHash()];
      await store.save(userId, hash, 'Alice@example.com', DAY);
      await expect(store.take(userId, hash)).resolves.toBe('Alice@example.com');
      await expect(store.take(userId, hash)).resolves.toBeNull();
    });

    it('knows no token it was not given, nor one under another user', async () => {
      const [userId, hash] = [uuidv7(), aHash()];
      await store.save(userId, hash, 'a@example.com', DAY);
      await expect(store.take(userId, aHash())).resolves.toBeNull();
      await expect(store.take(uuidv7(), hash)).resolves.toBeNull();
      await expect(store.take(userId, hash)).resolves.toBe('a@example.com');
    });

    it('keeps several tokens of one user apart', async () => {
      const userId = uuidv7();
      const [first, second] = [aHash(), aHash()];
      await store.save(userId, first, 'old@example.com', DAY);
      await store.save(userId, second, 'new@example.com', DAY);
      await expect(store.take(userId, second)).resolves.toBe('new@example.com');
      await expect(store.take(userId, first)).resolves.toBe('old@example.com');
    });

    it('forgets a token once it expires', async () => {
      const [userId, hash, kept] = [uuidv7(), aHash(), aHash()];
      await store.save(userId, hash, 'a@example.com', 300);
      await store.save(userId, kept, 'a@example.com', DAY);
      await elapse(450);
      await expect(store.take(userId, hash)).resolves.toBeNull();
      await expect(store.take(userId, kept)).resolves.toBe('a@example.com');
    });

    it('gives a token to exactly one of 50 concurrent takes', async () => {
      const [userId, hash] = [uuidv7(), aHash()];
      await store.save(userId, hash, 'a@example.com', DAY);
      const taken = await Promise.all(Array.from({ length: 50 }, () => store.take(userId, hash)));
      expect(taken.filter((email) => email !== null)).toEqual(['a@example.com']);
    });
  });
}
