import { Inject } from '@nestjs/common';
import { User, UserPatch } from './user';

export type CreateUserResult = { ok: true } | { ok: false; conflict: 'email' | 'username' | 'id' };

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
  /** Applies the patch and bumps `updatedAt`; returns the new user, or null when there is none. */
  update(id: string, patch: UserPatch, updatedAt: string): Promise<User | null>;
  /** Removes the user and frees its email and username; false when there was none. */
  delete(id: string): Promise<boolean>;
  /** Users in id (= creation) order, after `cursor` when given. */
  list(limit: number, cursor?: string): Promise<UserPage>;
}
export const UserStore = Symbol('UserStore');
export const InjectUserStore = () => Inject(UserStore);
