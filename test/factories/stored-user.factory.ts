import { SystemClock } from '../../src/common/time/clock';
import { PasswordHasher } from '../../src/users/password-hasher';
import { PasswordPolicy } from '../../src/users/password-policy';
import { User } from '../../src/users/user';
import { UserStore } from '../../src/users/user.store';
import { UsersService } from '../../src/users/users.service';

/** A user as a store holds it, for unit specs that put one there directly. */
export function aStoredUser(overrides: Partial<User> & Pick<User, 'id'>): User {
  const at = '2026-01-01T00:00:00.000Z';
  const name = `user-${overrides.id.slice(-4)}`;
  return {
    email: `${name}@example.test`,
    username: name,
    passwordHash: 'h',
    roles: ['user'],
    scopes: [],
    active: true,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

/**
 * A UsersService over `store`, real but for the audit trail: only for paths that create no user
 * (creation is the one thing it audits), hence no audit service behind it.
 */
export function usersServiceOver(store: UserStore): UsersService {
  return new UsersService(
    store,
    new PasswordHasher(),
    new PasswordPolicy(),
    new SystemClock(),
    null as never,
  );
}
