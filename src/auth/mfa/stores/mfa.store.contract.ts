// Imported explicitly (not the ambient jest globals) so this file also type-checks under
// tsconfig.build.json, which includes every non-spec file of src/.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { uuidv7 } from '../../../common/crypto/ids';
import { MfaStore } from '../mfa.store';

/** A store under test plus control of its time: instant for a ManualClock, sleeping for Redis. */
export interface MfaStoreFixture {
  store: MfaStore;
  /** Lets `ms` pass for the store's notion of expiry. */
  elapse(ms: number): Promise<void>;
}

const TEN_MINUTES = 600_000;
const sealed = () => `v1.k.${randomBytes(12).toString('base64url')}`;
const hashes = (n: number) =>
  Array.from({ length: n }, () => randomBytes(32).toString('base64url'));

/** The behaviour every MfaStore driver must have. */
export function describeMfaStoreContract(
  name: string,
  makeFixture: () => MfaStoreFixture | Promise<MfaStoreFixture>,
): void {
  describe(`MfaStore contract: ${name}`, () => {
    let store: MfaStore;
    let elapse: (ms: number) => Promise<void>;
    let userId: string;
    beforeEach(async () => {
      ({ store, elapse } = await makeFixture());
      userId = uuidv7();
    });

    /** A user with an enabled factor: its sealed secret and recovery code hashes. */
    async function enabled(step = 100) {
      const secret = sealed();
      const codes = hashes(10);
      await store.savePending(userId, secret, TEN_MINUTES);
      await expect(store.enable(userId, secret, codes, 1_700_000_000_000, step)).resolves.toBe(
        true,
      );
      return { secret, codes };
    }

    it('enables the pending enrolment it is given, once, with its recovery codes', async () => {
      const { secret } = await enabled();
      await expect(store.factor(userId)).resolves.toEqual({
        sealedSecret: secret,
        enabledAt: 1_700_000_000_000,
        codesVersion: 0,
      });
      await expect(store.recoveryCodesLeft(userId)).resolves.toBe(10);
      // The pending enrolment is used up: enabling it again, or over the factor, is refused.
      await expect(store.findPending(userId)).resolves.toBeNull();
      await store.savePending(userId, sealed(), TEN_MINUTES);
      const again = await store.findPending(userId);
      await expect(store.enable(userId, again!, hashes(10), 1, 1)).resolves.toBe(false);
      await expect(store.factor(userId)).resolves.toMatchObject({ sealedSecret: secret });
    });

    it('refuses to enable a secret that is not the pending one, or an expired enrolment', async () => {
      await expect(store.enable(userId, sealed(), hashes(10), 1, 1)).resolves.toBe(false);
      const first = sealed();
      await store.savePending(userId, first, TEN_MINUTES);
      await store.savePending(userId, sealed(), TEN_MINUTES); // a second enrolment replaces it
      await expect(store.enable(userId, first, hashes(10), 1, 1)).resolves.toBe(false);
      const late = sealed();
      await store.savePending(userId, late, 50);
      await elapse(120);
      await expect(store.findPending(userId)).resolves.toBeNull();
      await expect(store.enable(userId, late, hashes(10), 1, 1)).resolves.toBe(false);
      await expect(store.factor(userId)).resolves.toBeNull();
    });

    it('lets exactly one of concurrent enrolments win', async () => {
      const secret = sealed();
      await store.savePending(userId, secret, TEN_MINUTES);
      const results = await Promise.all(
        Array.from({ length: 8 }, () => store.enable(userId, secret, hashes(10), 1, 1)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      await expect(store.recoveryCodesLeft(userId)).resolves.toBe(10);
    });

    it('accepts each time step once and never an older one after a newer: a replay', async () => {
      const { secret } = await enabled(100);
      await expect(store.acceptStep(userId, secret, 100)).resolves.toBe('replayed'); // the confirming one
      await expect(store.acceptStep(userId, secret, 101)).resolves.toBe('used');
      await expect(store.acceptStep(userId, secret, 101)).resolves.toBe('replayed');
      await expect(store.acceptStep(userId, secret, 99)).resolves.toBe('replayed');
      await expect(store.acceptStep(userId, secret, 103)).resolves.toBe('used');
      await expect(store.acceptStep(userId, secret, 102)).resolves.toBe('replayed');
    });

    it('accepts a step for exactly one of concurrent sign-ins', async () => {
      const { secret } = await enabled(100);
      const results = await Promise.all(
        Array.from({ length: 10 }, () => store.acceptStep(userId, secret, 101)),
      );
      expect(results.filter((r) => r === 'used')).toHaveLength(1);
      expect(results.filter((r) => r === 'replayed')).toHaveLength(9);
    });

    it('accepts no step for a factor that is gone or was replaced', async () => {
      await expect(store.acceptStep(userId, sealed(), 5)).resolves.toBe('refused');
      const { secret } = await enabled(100);
      await expect(store.acceptStep(userId, sealed(), 200)).resolves.toBe('refused');
      await expect(store.disable(userId)).resolves.toBe(true);
      await expect(store.acceptStep(userId, secret, 300)).resolves.toBe('refused');
    });

    it('uses each recovery code once, concurrently too, and knows none of another user', async () => {
      const { codes } = await enabled();
      const uses = await Promise.all(
        Array.from({ length: 6 }, () => store.useRecoveryCode(userId, codes[0])),
      );
      expect(uses.filter((r) => r === 'used')).toHaveLength(1);
      await expect(store.recoveryCodesLeft(userId)).resolves.toBe(9);
      await expect(store.useRecoveryCode(uuidv7(), codes[1])).resolves.toBe('refused');
      await expect(store.useRecoveryCode(userId, hashes(1)[0])).resolves.toBe('refused');
      await expect(store.useRecoveryCode(userId, codes[1])).resolves.toBe('used');
    });

    it('claims a challenge with the code it uses; a racer for it uses up no code', async () => {
      const { secret, codes } = await enabled(100);
      const claim = { id: 'c1', ttlMs: 300 };
      const uses = await Promise.all([
        ...codes.slice(0, 6).map((code) => store.useRecoveryCode(userId, code, claim)),
        store.acceptStep(userId, secret, 101, claim),
        store.acceptStep(userId, secret, 102, claim),
      ]);
      expect(uses.filter((r) => r === 'used')).toHaveLength(1);
      expect(uses.filter((r) => r === 'claimed')).toHaveLength(7);
      // Exactly one code is spent: the six recovery codes and step 101 lost nothing.
      const spentCode = uses.slice(0, 6).includes('used');
      await expect(store.recoveryCodesLeft(userId)).resolves.toBe(spentCode ? 9 : 10);
      const stepWon = uses[6] === 'used' || uses[7] === 'used';
      await expect(store.acceptStep(userId, secret, 101)).resolves.toBe(
        stepWon ? 'replayed' : 'used',
      );
      const unspent = codes.slice(0, 6).filter((_, i) => uses[i] !== 'used');
      expect(unspent).toHaveLength(spentCode ? 5 : 6);
      for (const [i, code] of unspent.entries()) {
        const claimOfItsOwn = { id: `c2-${i}`, ttlMs: 300 };
        await expect(store.useRecoveryCode(userId, code, claimOfItsOwn)).resolves.toBe('used');
      }
    });

    it('keeps a claim for its lifetime, per user, and never claims for a refused or replayed code', async () => {
      const { secret, codes } = await enabled(100);
      const claim = { id: 'c1', ttlMs: 300 };
      await expect(store.useRecoveryCode(userId, hashes(1)[0], claim)).resolves.toBe('refused');
      await expect(store.acceptStep(userId, secret, 100, claim)).resolves.toBe('replayed');
      await expect(store.acceptStep(userId, secret, 101, claim)).resolves.toBe('used');
      await expect(store.useRecoveryCode(userId, codes[0], claim)).resolves.toBe('claimed');
      await expect(store.acceptStep(userId, secret, 102, claim)).resolves.toBe('claimed');
      await expect(store.useRecoveryCode(uuidv7(), codes[0], claim)).resolves.toBe('refused');
      await elapse(400);
      await expect(store.useRecoveryCode(userId, codes[0], claim)).resolves.toBe('used');
    });

    it('replaces every recovery code only for the factor it names', async () => {
      const { secret, codes } = await enabled();
      const fresh = hashes(10);
      await expect(store.replaceRecoveryCodes(userId, sealed(), 0, fresh)).resolves.toBe('gone');
      await expect(store.replaceRecoveryCodes(userId, secret, 0, fresh)).resolves.toBe('replaced');
      await expect(store.useRecoveryCode(userId, codes[0])).resolves.toBe('refused');
      await expect(store.useRecoveryCode(userId, fresh[0])).resolves.toBe('used');
      await expect(store.recoveryCodesLeft(userId)).resolves.toBe(9);
      await expect(store.factor(userId)).resolves.toMatchObject({ codesVersion: 1 });
    });

    it('replaces the recovery codes only while they are the set read (compare-and-set)', async () => {
      const { secret } = await enabled();
      const first = hashes(10);
      await expect(store.replaceRecoveryCodes(userId, secret, 0, first)).resolves.toBe('replaced');
      // A renewal that read set 0 comes late: the codes stay those of the one that won.
      const late = hashes(10);
      await expect(store.replaceRecoveryCodes(userId, secret, 0, late)).resolves.toBe('stale');
      await expect(store.useRecoveryCode(userId, late[0])).resolves.toBe('refused');
      await expect(store.useRecoveryCode(userId, first[0])).resolves.toBe('used');
      // Using a code is no renewal: the set is still version 1.
      const sets = Array.from({ length: 6 }, () => hashes(10));
      const results = await Promise.all(
        sets.map((set) => store.replaceRecoveryCodes(userId, secret, 1, set)),
      );
      expect(results.filter((r) => r === 'replaced')).toHaveLength(1);
      expect(results.filter((r) => r === 'stale')).toHaveLength(5);
      const winner = sets[results.indexOf('replaced')];
      for (const set of sets) {
        await expect(store.useRecoveryCode(userId, set[1])).resolves.toBe(
          set === winner ? 'used' : 'refused',
        );
      }
      await expect(store.factor(userId)).resolves.toMatchObject({ codesVersion: 2 });
    });

    it('uses a recovery code for a renewal only while the codes are the set it read', async () => {
      const { secret, codes } = await enabled();
      await expect(store.useRecoveryCode(userId, codes[0], undefined, 0)).resolves.toBe('used');
      const fresh = hashes(10);
      await expect(store.replaceRecoveryCodes(userId, secret, 0, fresh)).resolves.toBe('replaced');
      await expect(store.useRecoveryCode(userId, fresh[0], undefined, 0)).resolves.toBe('stale');
      await expect(store.recoveryCodesLeft(userId)).resolves.toBe(10);
      await expect(store.useRecoveryCode(userId, fresh[0], undefined, 1)).resolves.toBe('used');
    });

    it('disables the factor with its codes and pending enrolment; only the named one', async () => {
      await expect(store.disable(userId)).resolves.toBe(false);
      const { secret, codes } = await enabled();
      await store.savePending(userId, sealed(), TEN_MINUTES);
      await expect(store.disable(userId, sealed())).resolves.toBe(false);
      await expect(store.disable(userId, secret)).resolves.toBe(true);
      await expect(store.factor(userId)).resolves.toBeNull();
      await expect(store.findPending(userId)).resolves.toBeNull();
      await expect(store.recoveryCodesLeft(userId)).resolves.toBe(0);
      await expect(store.useRecoveryCode(userId, codes[2])).resolves.toBe('refused');
      await expect(store.disable(userId)).resolves.toBe(false);
    });

    it('counts the attempts at a challenge, concurrent ones distinctly, until it expires', async () => {
      const counts = await Promise.all(
        Array.from({ length: 6 }, () => store.countChallengeAttempt(userId, 'c1', 300)),
      );
      expect([...counts].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
      await expect(store.countChallengeAttempt(userId, 'c2', 300)).resolves.toBe(1);
      await expect(store.countChallengeAttempt(uuidv7(), 'c1', 300)).resolves.toBe(1);
      await elapse(400);
      await expect(store.countChallengeAttempt(userId, 'c1', 300)).resolves.toBe(1);
    });
  });
}
