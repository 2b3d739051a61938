import { AppError, AppErrorCode } from '../common/errors/app-error';
import { User } from './user';
import { assertMayCreate, assertMayDelete, assertMayUpdate, Caller } from './user-access.policy';

/** An admin for these rules: the admin role and users:write; nothing more is needed. */
const admin: Caller = { userId: 'admin-1', roles: ['user', 'admin'], scopes: ['users:write'] };
/** The admin role, but a token narrowed at login to scopes without users:write. */
const narrowedAdmin: Caller = {
  userId: 'admin-2',
  roles: ['user', 'admin'],
  scopes: ['profile', 'users:read'],
};
const writer: Caller = {
  userId: 'writer-1',
  roles: ['user'],
  scopes: ['profile', 'users:read', 'users:write'],
};

function aStoredUser(over: Partial<User> = {}): User {
  return {
    id: 'target-1',
    email: 't@example.test',
    username: 'target',
    passwordHash: 'h',
    roles: ['user'],
    scopes: [],
    active: true,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

function forbidden(act: () => void): string {
  try {
    act();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe(AppErrorCode.Forbidden);
    return (e as AppError).detail ?? '';
  }
  throw new Error('expected a 403 AppError');
}

describe('admin users API access rules', () => {
  it('lets an admin create users with any role', () => {
    expect(() => assertMayCreate(admin, { roles: ['admin'] })).not.toThrow();
  });

  it('lets a scope-only caller create plain users only', () => {
    expect(() => assertMayCreate(writer, {})).not.toThrow();
    expect(() => assertMayCreate(writer, { roles: ['user'] })).not.toThrow();
    expect(forbidden(() => assertMayCreate(writer, { roles: ['admin'] }))).toMatch(/admin/);
    expect(forbidden(() => assertMayCreate(writer, { scopes: ['tokens:introspect'] }))).toContain(
      'tokens:introspect',
    );
  });

  it('refuses anyone changing their own roles, scopes or active flag, admins included', () => {
    const me = aStoredUser({ id: admin.userId, roles: ['user', 'admin'] });
    for (const change of [{ roles: ['user' as const] }, { scopes: [] }, { active: false }]) {
      expect(forbidden(() => assertMayUpdate(admin, me, change))).toMatch(/your own/);
    }
    expect(() => assertMayUpdate(admin, me, {})).not.toThrow();
  });

  it('refuses anyone deleting themselves', () => {
    expect(forbidden(() => assertMayDelete(admin, aStoredUser({ id: admin.userId })))).toMatch(
      /yourself/,
    );
  });

  it("lets an admin change another user's roles and grant any scope", () => {
    const other = aStoredUser({ roles: ['user', 'admin'] });
    expect(() =>
      assertMayUpdate(admin, other, { roles: ['user'], scopes: ['custom:x'], active: false }),
    ).not.toThrow();
    expect(() => assertMayDelete(admin, other)).not.toThrow();
  });

  it('refuses a scope-only caller any change to, or deletion of, an admin', () => {
    const target = aStoredUser({ roles: ['user', 'admin'] });
    expect(forbidden(() => assertMayUpdate(writer, target, { active: false }))).toMatch(/admin/);
    expect(forbidden(() => assertMayDelete(writer, target))).toMatch(/admin/);
  });

  it('refuses a scope-only caller giving the admin role to a plain user', () => {
    expect(forbidden(() => assertMayUpdate(writer, aStoredUser(), { roles: ['admin'] }))).toMatch(
      /roles/,
    );
    expect(() => assertMayUpdate(writer, aStoredUser(), { roles: ['user'] })).not.toThrow();
  });

  it('lets a scope-only caller add or remove only scopes its own token holds', () => {
    const target = aStoredUser({ scopes: ['tokens:introspect'] });
    expect(() =>
      assertMayUpdate(writer, target, { scopes: ['tokens:introspect', 'users:read'] }),
    ).not.toThrow();
    expect(forbidden(() => assertMayUpdate(writer, target, { scopes: [] }))).toContain(
      'tokens:introspect',
    );
    expect(
      forbidden(() => assertMayUpdate(writer, aStoredUser(), { scopes: ['custom:x'] })),
    ).toContain('custom:x');
    expect(() => assertMayUpdate(writer, aStoredUser(), { active: false })).not.toThrow();
  });

  it('treats an admin whose token lacks users:write as no admin: the role alone is not power', () => {
    const admin2 = aStoredUser({ roles: ['user', 'admin'] });
    expect(forbidden(() => assertMayCreate(narrowedAdmin, { roles: ['admin'] }))).toMatch(/admin/);
    expect(forbidden(() => assertMayCreate(narrowedAdmin, { scopes: ['custom:x'] }))).toContain(
      'custom:x',
    );
    expect(
      forbidden(() => assertMayUpdate(narrowedAdmin, aStoredUser(), { roles: ['admin'] })),
    ).toMatch(/roles/);
    expect(forbidden(() => assertMayUpdate(narrowedAdmin, admin2, { active: false }))).toMatch(
      /admin/,
    );
    expect(forbidden(() => assertMayDelete(narrowedAdmin, admin2))).toMatch(/admin/);
  });
});
