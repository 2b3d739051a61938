import { Inject } from '@nestjs/common';
import { User, UserPatch } from './user';

export type CreateUserResult = { ok: true } | { ok: false; conflict: 'email' | 'username' | 'id' };

/** What an update must still find to apply: a compare-and-set precondition. */
export interface UpdateCondition {
  /** The stored password hash is still this one (a rehash never overwrites a new password). */
  passwordHash?: string;
  /** The email is still this one, case-insensitively (a verification is for one address). */
  email?: string;
  /** The user is still active (a deactivation landing meanwhile wins over the update). */
  active?: true;
}

export type UpdateUserResult =
  | { status: 'updated'; user: User }
  | { status: 'not-found' }
  /** It would leave no active admin: refused, nothing changed. */
  | { status: 'last-admin' }
  /** The condition no longer holds: nothing changed. */
  | { status: 'condition-failed' };

export type DeleteUserResult = 'deleted' | 'not-found' | 'last-admin';

export interface UserPage {
  items: User[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * Where users live. Email and username are unique case-insensitively, and `create` enforces it
 * atomically in the store (never check-then-write), so concurrent registrations cannot both win.
 */
export interface UserStore {
  create(user: User): Promise<CreateUserResult>;
  findById(id: string): Promise<User | null>;
  /** Looks up by email or by username, case-insensitively. */
  findByLogin(login: string): Promise<User | null>;
  /** The id findByLogin would find, without reading the user (a sign-in reads it later). */
  idByLogin(login: string): Promise<string | null>;
  /**
   * Applies the patch and bumps `updatedAt` when `condition` holds, atomically. Never leaves the
   * store without an active admin once it has one (two admins demoting each other at once: one
   * of them is refused), and never loses a concurrent update.
   */
  update(
    id: string,
    patch: UserPatch,
    updatedAt: string,
    condition?: UpdateCondition,
  ): Promise<UpdateUserResult>;
  /** Removes the user and frees its email and username, unless it is the last active admin. */
  delete(id: string): Promise<DeleteUserResult>;
  /** Users in id (= creation) order, after `cursor` when given. */
  list(limit: number, cursor?: string): Promise<UserPage>;
}
export const UserStore = Symbol('UserStore');

/** Whom the last-admin rule protects: someone must stay able to manage users. */
export function isActiveAdmin(user: Pick<User, 'roles' | 'active'>): boolean {
  return user.active && user.roles.includes('admin');
}
export const InjectUserStore = () => Inject(UserStore);
