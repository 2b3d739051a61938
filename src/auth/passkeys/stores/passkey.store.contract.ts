// Imported explicitly (not the ambient jest globals) so this file also type-checks under
// tsconfig.build.json, which includes every non-spec file of src/.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { uuidv7 } from '../../../common/crypto/ids';
import { PasskeyStore, PasskeyUse, StoredPasskey } from '../passkey.store';

/** A store under test plus control of its time: instant for a ManualClock, sleeping for Redis. */
export interface PasskeyStoreFixture {
  store: PasskeyStore;
  /** Lets `ms` pass for the store's notion of expiry. */
  elapse(ms: number): Promise<void>;
}

const MINUTE = 60_000;
const used = (outcome: PasskeyUse['outcome'], stored: number): PasskeyUse => ({ outcome, stored });
const b64 = (n: number) => randomBytes(n).toString('base64url');

function aPasskey(overrides: Partial<StoredPasskey> = {}): StoredPasskey {
  return {
    id: uuidv7(),
    credentialId: b64(16),
    publicKey: b64(77),
    counter: 0,
    transports: ['internal', 'hybrid'],
    name: 'MacBook',
    deviceType: 'singleDevice',
    backedUp: false,
    createdAt: 1_700_000_000_000,
    lastUsedAt: null,
    ...overrides,
  };
}

/** The behaviour every PasskeyStore driver must have. */
export function describePasskeyStoreContract(
  name: string,
  makeFixture: () => PasskeyStoreFixture | Promise<PasskeyStoreFixture>,
): void {
  describe(`PasskeyStore contract: ${name}`, () => {
    let store: PasskeyStore;
    let elapse: (ms: number) => Promise<void>;
    let userId: string;
    beforeEach(async () => {
      ({ store, elapse } = await makeFixture());
      userId = uuidv7();
    });

    it('keeps a passkey as given, lists it and finds it by id, for its user only', async () => {
      const passkey = aPasskey({ transports: [] });
      await expect(store.add(userId, passkey, 10)).resolves.toBe('added');
      await expect(store.findByCredential(userId, passkey.credentialId)).resolves.toEqual(passkey);
      await expect(store.list(userId)).resolves.toEqual([passkey]);
      await expect(store.findByCredential(uuidv7(), passkey.credentialId)).resolves.toBeNull();
      await expect(store.list(uuidv7())).resolves.toEqual([]);
    });

    it('refuses a passkey the user has already, and one beyond the most allowed', async () => {
      const passkey = aPasskey();
      await store.add(userId, passkey, 2);
      const again = { ...passkey, id: uuidv7(), name: 'again' };
      await expect(store.add(userId, again, 2)).resolves.toBe('exists');
      await expect(store.add(userId, aPasskey(), 2)).resolves.toBe('added');
      await expect(store.add(userId, aPasskey(), 2)).resolves.toBe('full');
      await expect(store.list(userId)).resolves.toHaveLength(2);
    });

    it('refuses a credential id another user holds, until that user removes it or is removed', async () => {
      const passkey = aPasskey();
      const [other, third] = [uuidv7(), uuidv7()];
      await expect(store.add(userId, passkey, 10)).resolves.toBe('added');
      await expect(store.add(other, { ...passkey, id: uuidv7() }, 10)).resolves.toBe('taken');
      await expect(store.list(other)).resolves.toEqual([]);
      await expect(store.remove(userId, passkey.id)).resolves.toBe(true);
      await expect(store.add(other, passkey, 10)).resolves.toBe('added');
      await expect(store.add(userId, passkey, 10)).resolves.toBe('taken');
      await store.removeAll(other);
      await expect(store.add(third, passkey, 10)).resolves.toBe('added');
    });

    it('gives a credential id to one of several users adding it at once', async () => {
      const passkey = aPasskey();
      const users = Array.from({ length: 8 }, () => uuidv7());
      const results = await Promise.all(users.map((user) => store.add(user, passkey, 10)));
      expect([...results].sort()).toEqual(['added', ...Array<string>(7).fill('taken')]);
      const holders = await Promise.all(users.map((user) => store.list(user)));
      expect(holders.filter((held) => held.length > 0)).toHaveLength(1);
    });

    it('leaves a credential id free when the add is refused for the limit', async () => {
      await store.add(userId, aPasskey(), 1);
      const passkey = aPasskey();
      await expect(store.add(userId, passkey, 1)).resolves.toBe('full');
      await expect(store.add(uuidv7(), passkey, 1)).resolves.toBe('added');
    });

    it('lets at most the allowed number of concurrent additions in', async () => {
      const results = await Promise.all(
        Array.from({ length: 10 }, () => store.add(userId, aPasskey(), 3)),
      );
      expect(results.filter((r) => r === 'added')).toHaveLength(3);
      await expect(store.list(userId)).resolves.toHaveLength(3);
    });

    it('records a use only when the counter goes forward, and refuses one that goes back', async () => {
      const passkey = aPasskey({ counter: 5 });
      await store.add(userId, passkey, 10);
      await expect(store.use(userId, passkey.credentialId, 6, 1_000)).resolves.toEqual(
        used('ok', 5),
      );
      await expect(store.findByCredential(userId, passkey.credentialId)).resolves.toMatchObject({
        counter: 6,
        lastUsedAt: 1_000,
      });
      for (const counter of [6, 2, 0]) {
        await expect(store.use(userId, passkey.credentialId, counter, 2_000)).resolves.toEqual(
          used('regressed', 6),
        );
      }
      await expect(store.findByCredential(userId, passkey.credentialId)).resolves.toMatchObject({
        counter: 6,
        lastUsedAt: 1_000,
      });
      await expect(store.use(userId, 'no-such-id', 9, 1)).resolves.toEqual(used('missing', 0));
    });

    it('accepts every use of an authenticator that keeps no counter (0 and 0)', async () => {
      const passkey = aPasskey({ counter: 0 });
      await store.add(userId, passkey, 10);
      await expect(store.use(userId, passkey.credentialId, 0, 1_000)).resolves.toEqual(
        used('ok', 0),
      );
      await expect(store.use(userId, passkey.credentialId, 0, 2_000)).resolves.toEqual(
        used('ok', 0),
      );
      await expect(store.findByCredential(userId, passkey.credentialId)).resolves.toMatchObject({
        lastUsedAt: 2_000,
      });
    });

    it('lets exactly one of concurrent uses with the same counter through', async () => {
      const passkey = aPasskey({ counter: 1 });
      await store.add(userId, passkey, 10);
      const results = await Promise.all(
        Array.from({ length: 10 }, () => store.use(userId, passkey.credentialId, 2, 1_000)),
      );
      expect(results.filter((r) => r.outcome === 'ok')).toHaveLength(1);
      // Each loser names the counter it lost against: the winner's, not the one before.
      expect(results.filter((r) => r.outcome === 'regressed')).toEqual(
        Array.from({ length: 9 }, () => used('regressed', 2)),
      );
    });

    it('keeps the last passkey when asked to, and one of two removed at once', async () => {
      const [a, b] = [aPasskey(), aPasskey()];
      await store.add(userId, a, 10);
      await store.add(userId, b, 10);
      const results = await Promise.all([
        store.remove(userId, a.id, true),
        store.remove(userId, b.id, true),
      ]);
      expect([...results].sort()).toEqual(['last', true].sort());
      await expect(store.list(userId)).resolves.toHaveLength(1);
      const [last] = await store.list(userId);
      await expect(store.remove(userId, last.id, true)).resolves.toBe('last');
      await expect(store.remove(userId, last.id)).resolves.toBe(true);
    });

    it('removes one passkey, then every one of the user', async () => {
      const [a, b] = [aPasskey(), aPasskey()];
      await store.add(userId, a, 10);
      await store.add(userId, b, 10);
      await expect(store.remove(userId, uuidv7())).resolves.toBe(false);
      await expect(store.remove(uuidv7(), a.id)).resolves.toBe(false);
      await expect(store.remove(userId, a.id)).resolves.toBe(true);
      await expect(store.remove(userId, a.id)).resolves.toBe(false);
      await expect(store.use(userId, a.credentialId, 9, 1)).resolves.toEqual(used('missing', 0));
      await expect(store.list(userId)).resolves.toEqual([b]);
      const session = uuidv7();
      await store.saveRegistrationChallenge(userId, session, b64(32), MINUTE);
      await store.removeAll(userId);
      await expect(store.list(userId)).resolves.toEqual([]);
      await expect(store.takeRegistrationChallenge(userId, session)).resolves.toBeNull();
    });

    it('gives a registration challenge back once, the newest of its session only, until it expires', async () => {
      const session = uuidv7();
      await store.saveRegistrationChallenge(userId, session, 'first', MINUTE);
      await store.saveRegistrationChallenge(userId, session, 'second', MINUTE);
      await expect(store.takeRegistrationChallenge(userId, session)).resolves.toBe('second');
      await expect(store.takeRegistrationChallenge(userId, session)).resolves.toBeNull();
      await store.saveRegistrationChallenge(userId, session, 'late', 50);
      await elapse(120);
      await expect(store.takeRegistrationChallenge(userId, session)).resolves.toBeNull();
    });

    it('keeps one registration challenge per session: another session neither replaces nor takes it', async () => {
      const [a, b] = [uuidv7(), uuidv7()];
      await store.saveRegistrationChallenge(userId, a, 'of a', MINUTE);
      await store.saveRegistrationChallenge(userId, b, 'of b', MINUTE);
      await expect(store.takeRegistrationChallenge(userId, uuidv7())).resolves.toBeNull();
      await expect(store.takeRegistrationChallenge(uuidv7(), a)).resolves.toBeNull();
      await expect(store.takeRegistrationChallenge(userId, b)).resolves.toBe('of b');
      await expect(store.takeRegistrationChallenge(userId, b)).resolves.toBeNull();
      await expect(store.takeRegistrationChallenge(userId, a)).resolves.toBe('of a');
    });

    it("expires each session's registration challenge on its own, and gives one to one of concurrent takers", async () => {
      const [short, long] = [uuidv7(), uuidv7()];
      await store.saveRegistrationChallenge(userId, long, 'long', MINUTE);
      await store.saveRegistrationChallenge(userId, short, 'short', 50);
      await elapse(120);
      await expect(store.takeRegistrationChallenge(userId, short)).resolves.toBeNull();
      const takes = await Promise.all(
        Array.from({ length: 10 }, () => store.takeRegistrationChallenge(userId, long)),
      );
      expect(takes.filter((taken) => taken !== null)).toEqual(['long']);
    });

    it('uses a sign-in challenge up once, over concurrent takers, and not after it expires', async () => {
      const challenge = b64(32);
      await store.saveLoginChallenge(challenge, MINUTE);
      const results = await Promise.all(
        Array.from({ length: 10 }, () => store.takeLoginChallenge(challenge)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      await expect(store.takeLoginChallenge(b64(32))).resolves.toBe(false);
      const late = b64(32);
      await store.saveLoginChallenge(late, 50);
      await elapse(120);
      await expect(store.takeLoginChallenge(late)).resolves.toBe(false);
    });
  });
}
