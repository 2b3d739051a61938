// Imported explicitly (not the ambient jest globals) so this file also type-checks under
// tsconfig.build.json, which includes every non-spec file of src/.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { uuidv7 } from '../../common/crypto/ids';
import { User } from '../user';
import { UserStore } from '../user.store';

let clockMs = Date.UTC(2026, 0, 1);

/** A valid user with unique id, email and username; ids are created in increasing order. */
function aUser(overrides: Partial<User> = {}): User {
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

/**
 * The behaviour every UserStore driver must have. `makeStore` is called before each test and
 * must return an empty store (list() sees only that test's users).
 */
export function describeUserStoreContract(
  name: string,
  makeStore: () => UserStore | Promise<UserStore>,
): void {
  describe(`UserStore contract: ${name}`, () => {
    let store: UserStore;
    beforeEach(async () => {
      store = await makeStore();
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

    describe('update', () => {
      it('applies the patch and the new updatedAt, and keeps the rest', async () => {
        const user = aUser();
        await store.create(user);
        const updatedAt = '2026-02-01T00:00:00.000Z';
        const patch = { roles: ['user', 'admin'] as User['roles'], active: false };
        const updated = await store.update(user.id, patch, updatedAt);
        expect(updated).toEqual({ ...user, ...patch, updatedAt });
        await expect(store.findById(user.id)).resolves.toEqual(updated);
      });

      it('returns null for a user that does not exist', async () => {
        await expect(store.update(uuidv7(), { active: false }, 'x')).resolves.toBeNull();
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
        await expect(store.delete(user.id)).resolves.toBe(true);
        await expect(store.findById(user.id)).resolves.toBeNull();
        await expect(store.findByLogin(user.email)).resolves.toBeNull();
        await expect(store.findByLogin(user.username)).resolves.toBeNull();
        const again = aUser({ email: user.email, username: user.username });
        await expect(store.create(again)).resolves.toEqual({ ok: true });
      });

      it('returns false when there was no such user', async () => {
        await expect(store.delete(uuidv7())).resolves.toBe(false);
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
  });
}
