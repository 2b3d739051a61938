import { User, UserPatch } from '../user';
import {
  CreateUserResult,
  DeleteUserResult,
  isActiveAdmin,
  UpdateCondition,
  UpdateUserResult,
  UserPage,
  UserStore,
} from '../user.store';
import {
  applyPatch,
  decodeUserCursor,
  encodeUserCursor,
  holds,
  loginKey,
} from './user-store.helpers';

/**
 * Users in process memory: complete for one process (development, tests), with the same
 * semantics as the Redis driver. Hands out copies, so callers can never mutate stored users.
 */
export class MemoryUserStore implements UserStore {
  private readonly byId = new Map<string, User>();
  private readonly byEmail = new Map<string, string>();
  private readonly byUsername = new Map<string, string>();
  /** Ids in lexical (= UUIDv7 creation) order, like the Redis ZSET read BYLEX. */
  private readonly ids: string[] = [];

  create(user: User): Promise<CreateUserResult> {
    const email = loginKey(user.email);
    const username = loginKey(user.username);
    // Same order of checks as the Redis script, so both report the same conflict.
    if (this.byEmail.has(email)) return Promise.resolve({ ok: false, conflict: 'email' });
    if (this.byUsername.has(username)) return Promise.resolve({ ok: false, conflict: 'username' });
    if (this.byId.has(user.id)) return Promise.resolve({ ok: false, conflict: 'id' });
    this.byId.set(user.id, structuredClone(user));
    this.byEmail.set(email, user.id);
    this.byUsername.set(username, user.id);
    this.ids.splice(this.insertionIndex(user.id), 0, user.id);
    return Promise.resolve({ ok: true });
  }

  findById(id: string): Promise<User | null> {
    return Promise.resolve(this.copy(id));
  }

  findByLogin(login: string): Promise<User | null> {
    const id = this.idOf(login);
    return Promise.resolve(id === null ? null : this.copy(id));
  }

  idByLogin(login: string): Promise<string | null> {
    return Promise.resolve(this.idOf(login));
  }

  private idOf(login: string): string | null {
    // Usernames cannot contain '@', so a login with one is an email.
    const index = login.includes('@') ? this.byEmail : this.byUsername;
    return index.get(loginKey(login)) ?? null;
  }

  update(
    id: string,
    patch: UserPatch,
    updatedAt: string,
    condition: UpdateCondition = {},
  ): Promise<UpdateUserResult> {
    const user = this.byId.get(id);
    if (!user) return Promise.resolve({ status: 'not-found' });
    if (!holds(condition, user)) return Promise.resolve({ status: 'condition-failed' });
    const next = applyPatch(user, patch, updatedAt);
    if (this.isLastAdmin(user) && !isActiveAdmin(next)) {
      return Promise.resolve({ status: 'last-admin' });
    }
    this.byId.set(id, next);
    return Promise.resolve({ status: 'updated', user: structuredClone(next) });
  }

  delete(id: string): Promise<DeleteUserResult> {
    const user = this.byId.get(id);
    if (!user) return Promise.resolve('not-found');
    if (this.isLastAdmin(user)) return Promise.resolve('last-admin');
    this.byId.delete(id);
    this.byEmail.delete(loginKey(user.email));
    this.byUsername.delete(loginKey(user.username));
    this.ids.splice(this.ids.indexOf(id), 1);
    return Promise.resolve('deleted');
  }

  list(limit: number, cursor?: string): Promise<UserPage> {
    const start = cursor === undefined ? 0 : this.insertionIndex(decodeUserCursor(cursor), true);
    const page = this.ids.slice(start, start + Math.max(limit, 0));
    const more = start + page.length < this.ids.length && page.length > 0;
    return Promise.resolve({
      items: page.map((id) => structuredClone(this.byId.get(id) as User)),
      nextCursor: more ? encodeUserCursor(page[page.length - 1]) : null,
    });
  }

  /** Whether `user` is the only active admin (a linear scan: one process, few admins). */
  private isLastAdmin(user: User): boolean {
    if (!isActiveAdmin(user)) return false;
    for (const other of this.byId.values()) {
      if (other.id !== user.id && isActiveAdmin(other)) return false;
    }
    return true;
  }

  private copy(id: string): User | null {
    const user = this.byId.get(id);
    return user ? structuredClone(user) : null;
  }

  /** First index whose id sorts after `id` (or at/after it unless `strictlyAfter`). */
  private insertionIndex(id: string, strictlyAfter = false): number {
    let low = 0;
    let high = this.ids.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const before = strictlyAfter ? this.ids[mid] <= id : this.ids[mid] < id;
      if (before) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
