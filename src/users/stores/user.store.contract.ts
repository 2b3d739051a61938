// Imported explicitly (not the ambient jest globals) so this file also type-checks under
// tsconfig.build.json, which includes every non-spec file of src/.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { uuidv7 } from '../../common/crypto/ids';
import { User } from '../user';
import { UserStore } from '../user.store';

let clockMs = Date.UTC(2026, 0, 1);

/** A valid user with unique id, email and username; ids are created in increasing order. */
export function aUser(overrides: Partial<User> = {}): User {
  const tag = randomBytes(4).toString('hex');
  const now = new Date(clockMs).toISOString();
  return {
    id: uuidv7(clockMs++),
    email: `user-${tag}@example.test`,
    username: `user_${tag}`,
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
    roles: ['user'],
    scopes: [],
    active: true,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/** An empty store, and the same store as another app instance sees it (Redis: its own client). */
export interface UserStoreFixture {
  store: UserStore;
  peer: UserStore;
}

/**
 * The behaviour every UserStore driver must have. `makeStore` is called before each test and
 * must return an empty store (list() sees only that test's users).
 */
export function describeUserStoreContract(
  name: string,
  makeStore: () => UserStoreFixture | Promise<UserStoreFixture>,
): void {
  describe(`UserStore contract: ${name}`, () => {
    let store: UserStore;
    let peer: UserStore;
    beforeEach(async () => {
      ({ store, peer } = await makeStore());
    });

    describe('create', () => {
      it('stores a user that can then be found by id', async () => {
        const user = aUser({ roles: ['user', 'admin'], scopes: ['audit:read'] });
        await expect(store.create(user)).resolves.toEqual({ ok: true });
        await expect(store.findById(user.id)).resolves.toEqual(user);
      });

      it('refuses a second user with the same email in any letter case', async () => {
        const first = aUser({ email: 'Ada@Example.test' });
        await store.create(first);
        const result = await store.create(aUser({ email: 'aDA@example.TEST' }));
        expect(result).toEqual({ ok: false, conflict: 'email' });
      });

      it('refuses a second user with the same username in any letter case', async () => {
        await store.create(aUser({ username: 'Ada_L' }));
        const result = await store.create(aUser({ username: 'ada_l' }));
        expect(result).toEqual({ ok: false, conflict: 'username' });
      });

      it('refuses a second user with the same id', async () => {
        const first = aUser();
        await store.create(first);
        const result = await store.create(aUser({ id: first.id }));
        expect(result).toEqual({ ok: false, conflict: 'id' });
      });

      it('lets exactly one of 20 concurrent registrations of one email win', async () => {
        const email = `race-${randomBytes(4).toString('hex')}@example.test`;
        const attempts = Array.from({ length: 20 }, () => store.create(aUser({ email })));
        const results = await Promise.all(attempts);
        expect(results.filter((r) => r.ok)).toHaveLength(1);
        expect(results.filter((r) => !r.ok && r.conflict === 'email')).toHaveLength(19);
      });

      it('keeps its own copy, so changing the passed object changes nothing stored', async () => {
        const user = aUser();
        await store.create(user);
        user.roles.push('admin');
        const found = await store.findById(user.id);
        expect(found?.roles).toEqual(['user']);
      });
    });

    describe('findByLogin', () => {
      it('finds a user by email in any letter case', async () => {
        const user = aUser({ email: 'Grace.Hopper@Example.test' });
        await store.create(user);
        await expect(store.findByLogin('grace.hopper@EXAMPLE.test')).resolves.toEqual(user);
      });

      it('finds a user by username in any letter case', async () => {
        const user = aUser({ username: 'GraceH' });
        await store.create(user);
        await expect(store.findByLogin('gRACEh')).resolves.toEqual(user);
      });

      it('finds nobody for an unknown login', async () => {
        await expect(store.findByLogin('nobody@example.test')).resolves.toBeNull();
        await expect(store.findByLogin('nobody')).resolves.toBeNull();
        await expect(store.findById(uuidv7())).resolves.toBeNull();
      });
    });

    describe('idByLogin', () => {
      it('gives the id findByLogin finds, by email or username in any letter case', async () => {
        const user = aUser({ email: 'Ada.Lovelace@Example.test', username: 'AdaL' });
        await store.create(user);
        await expect(store.idByLogin('ada.lovelace@EXAMPLE.test')).resolves.toBe(user.id);
        await expect(store.idByLogin('aDAl')).resolves.toBe(user.id);
        await expect(store.idByLogin('nobody@example.test')).resolves.toBeNull();
        await expect(store.idByLogin('nobody')).resolves.toBeNull();
      });

      it('forgets a deleted user', async () => {
        const user = aUser();
        await store.create(user);
        await store.delete(user.id);
        await expect(store.idByLogin(user.email)).resolves.toBeNull();
        await expect(store.idByLogin(user.username)).resolves.toBeNull();
      });
    });

    describe('update', () => {
      it('applies the patch and the new updatedAt, and keeps the rest', async () => {
        const user = aUser();
        await store.create(user);
        const updatedAt = '2026-02-01T00:00:00.000Z';
        const patch = { roles: ['user', 'admin'] as User['roles'], active: false };
        const updated = await store.update(user.id, patch, updatedAt);
        expect(updated).toEqual({ status: 'updated', user: { ...user, ...patch, updatedAt } });
        await expect(store.findById(user.id)).resolves.toEqual({ ...user, ...patch, updatedAt });
      });

      it('answers not-found for a user that does not exist', async () => {
        await expect(store.update(uuidv7(), { active: false }, 'x')).resolves.toEqual({
          status: 'not-found',
        });
      });

      it('applies a conditional update only while the condition holds', async () => {
        const user = aUser({ passwordHash: 'old' });
        await store.create(user);
        const stale = await store.update(user.id, { passwordHash: 'x' }, 'x', {
          passwordHash: 'y',
        });
        expect(stale).toEqual({ status: 'condition-failed' });
        await expect(store.findById(user.id)).resolves.toMatchObject({ passwordHash: 'old' });
        const held = await store.update(user.id, { passwordHash: 'x' }, 'x', {
          passwordHash: 'old',
        });
        expect(held).toMatchObject({ status: 'updated', user: { passwordHash: 'x' } });
      });

      it('marks an email verified only while the email is still the one named, in any case', async () => {
        const user = aUser({ email: 'Ada@Example.test' });
        await store.create(user);
        const other = await store.update(user.id, { emailVerified: true }, 'x', {
          email: 'someone-else@example.test',
        });
        expect(other).toEqual({ status: 'condition-failed' });
        await expect(store.findById(user.id)).resolves.not.toMatchObject({ emailVerified: true });
        const same = await store.update(user.id, { emailVerified: true }, 'x', {
          email: 'ada@example.TEST',
        });
        expect(same).toMatchObject({ status: 'updated', user: { emailVerified: true } });
        await expect(store.findById(user.id)).resolves.toMatchObject({ emailVerified: true });
      });

      it('applies an update conditioned on an active user only while it is active', async () => {
        const user = aUser({ passwordHash: 'old', active: false });
        await store.create(user);
        const onInactive = await store.update(user.id, { passwordHash: 'new' }, 'x', {
          passwordHash: 'old',
          active: true,
        });
        expect(onInactive).toEqual({ status: 'condition-failed' });
        await expect(store.findById(user.id)).resolves.toMatchObject({ passwordHash: 'old' });
        await store.update(user.id, { active: true }, 'x');
        const onActive = await store.update(user.id, { passwordHash: 'new' }, 'x', {
          passwordHash: 'old',
          active: true,
        });
        expect(onActive).toMatchObject({ status: 'updated', user: { passwordHash: 'new' } });
      });

      it('never writes a password onto a user deactivated at the same moment, 60 times over', async () => {
        for (let trial = 0; trial < 60; trial++) {
          const user = aUser({ passwordHash: 'old' });
          await store.create(user);
          const write = () =>
            store.update(user.id, { passwordHash: 'new' }, 'x', {
              passwordHash: 'old',
              active: true,
            });
          const deactivate = () => peer.update(user.id, { active: false }, 'x');
          const written =
            trial % 2
              ? (await Promise.all([write(), deactivate()]))[0]
              : (await Promise.all([deactivate(), write()]))[1];
          const stored = await store.findById(user.id);
          // Either order is fine, but a password is only ever written onto an active account.
          const outcome = {
            status: written.status,
            writtenOnto: written.status === 'updated' ? { active: written.user.active } : null,
            stored: { active: stored?.active, passwordHash: stored?.passwordHash },
          };
          expect([
            {
              status: 'updated',
              writtenOnto: { active: true },
              stored: { active: false, passwordHash: 'new' },
            },
            {
              status: 'condition-failed',
              writtenOnto: null,
              stored: { active: false, passwordHash: 'old' },
            },
          ]).toContainEqual(outcome);
        }
      });

      it('never lets a rehash overwrite a password changed at the same moment, 60 times over', async () => {
        for (let trial = 0; trial < 60; trial++) {
          const user = aUser({ passwordHash: 'old' });
          await store.create(user);
          const rehash = () =>
            store.update(user.id, { passwordHash: 'rehashed-old' }, 'x', { passwordHash: 'old' });
          const change = () => peer.update(user.id, { passwordHash: 'new' }, 'x');
          await Promise.all(trial % 2 ? [rehash(), change()] : [change(), rehash()]);
          await expect(store.findById(user.id)).resolves.toMatchObject({ passwordHash: 'new' });
        }
      });

      it('loses none of several concurrent updates', async () => {
        const user = aUser();
        await store.create(user);
        await Promise.all([
          store.update(user.id, { active: false }, '2026-02-01T00:00:00.000Z'),
          store.update(user.id, { scopes: ['a'] }, '2026-02-01T00:00:00.000Z'),
          store.update(user.id, { passwordHash: 'new' }, '2026-02-01T00:00:00.000Z'),
        ]);
        const found = await store.findById(user.id);
        expect(found).toMatchObject({ active: false, scopes: ['a'], passwordHash: 'new' });
      });
    });

    describe('delete', () => {
      it('removes the user and frees its email and username for someone new', async () => {
        const user = aUser();
        await store.create(user);
        await expect(store.delete(user.id)).resolves.toBe('deleted');
        await expect(store.findById(user.id)).resolves.toBeNull();
        await expect(store.findByLogin(user.email)).resolves.toBeNull();
        await expect(store.findByLogin(user.username)).resolves.toBeNull();
        const again = aUser({ email: user.email, username: user.username });
        await expect(store.create(again)).resolves.toEqual({ ok: true });
      });

      it('answers not-found when there was no such user', async () => {
        await expect(store.delete(uuidv7())).resolves.toBe('not-found');
      });
    });

    describe('list', () => {
      it('pages through all users in creation order with cursors', async () => {
        const users = Array.from({ length: 5 }, () => aUser());
        for (const user of [...users].reverse()) await store.create(user);
        const first = await store.list(2);
        const second = await store.list(2, first.nextCursor ?? undefined);
        const third = await store.list(2, second.nextCursor ?? undefined);
        expect([first, second, third].map((p) => p.items.map((u) => u.id))).toEqual([
          [users[0].id, users[1].id],
          [users[2].id, users[3].id],
          [users[4].id],
        ]);
        expect(third.nextCursor).toBeNull();
      });

      it('ends without a cursor when the last page is exactly full', async () => {
        const users = [aUser(), aUser()];
        for (const user of users) await store.create(user);
        const page = await store.list(2);
        expect(page.items.map((u) => u.id)).toEqual(users.map((u) => u.id));
        expect(page.nextCursor).toBeNull();
      });

      it('leaves deleted users out of the listing', async () => {
        const [kept, deleted] = [aUser(), aUser()];
        await store.create(kept);
        await store.create(deleted);
        await store.delete(deleted.id);
        await expect(store.list(10)).resolves.toEqual({ items: [kept], nextCursor: null });
      });
    });

    describe('the last active admin', () => {
      const anAdmin = () => aUser({ roles: ['user', 'admin'] });

      it('is never demoted, deactivated or deleted', async () => {
        const [admin, plain] = [anAdmin(), aUser()];
        await store.create(admin);
        await store.create(plain);
        for (const patch of [{ roles: ['user' as const] }, { active: false }]) {
          await expect(store.update(admin.id, patch, 'x')).resolves.toEqual({
            status: 'last-admin',
          });
        }
        await expect(store.delete(admin.id)).resolves.toBe('last-admin');
        await expect(store.findById(admin.id)).resolves.toEqual(admin);
        await expect(store.delete(plain.id)).resolves.toBe('deleted');
      });

      it('may go once another admin is active, and counts a re-activated admin again', async () => {
        const [a, b] = [anAdmin(), anAdmin()];
        await store.create(a);
        await store.create(b);
        await expect(store.update(a.id, { active: false }, 'x')).resolves.toMatchObject({
          status: 'updated',
        });
        await expect(store.delete(b.id)).resolves.toBe('last-admin');
        await store.update(a.id, { active: true }, 'x');
        await expect(store.delete(b.id)).resolves.toBe('deleted');
        await expect(store.update(a.id, { roles: ['user'] }, 'x')).resolves.toEqual({
          status: 'last-admin',
        });
      });

      it('stays when two admins demote each other at the same moment, 60 times over', async () => {
        let survivor: User | null = null;
        for (let trial = 0; trial < 60; trial++) {
          const [a, b] = [anAdmin(), anAdmin()];
          await store.create(a);
          await store.create(b);
          // Exactly two active admins before each race: the last trial's survivor steps down.
          if (survivor) await store.update(survivor.id, { roles: ['user'] }, 'x');
          const demote = trial % 3 === 0 ? { active: false } : { roles: ['user' as const] };
          const other =
            trial % 2
              ? peer.update(b.id, demote, 'x')
              : peer.delete(b.id).then((status) => ({ status }));
          const results = await Promise.all([store.update(a.id, demote, 'x'), other]);
          const done = results.filter((r) => r.status === 'updated' || r.status === 'deleted');
          expect(done).toHaveLength(1);
          const left = await Promise.all([store.findById(a.id), store.findById(b.id)]);
          const admins = left.filter((u) => u?.active === true && u.roles.includes('admin'));
          expect(admins).toHaveLength(1);
          survivor = admins[0];
        }
      });
    });
  });
}
