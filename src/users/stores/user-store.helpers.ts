import { User, UserPatch } from '../user';
import { UpdateCondition } from '../user.store';

/**
 * Page cursors are opaque to clients (base64url of the last id of a page), so the paging scheme
 * can change without breaking them. Both drivers use the same encoding.
 */
export function encodeUserCursor(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

/** The id after which the next page starts. A garbled cursor just yields some later page. */
export function decodeUserCursor(cursor: string): string {
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

/** Lower-cased, so email and username are unique and found case-insensitively. */
export function loginKey(value: string): string {
  return value.toLowerCase();
}

/** The user with the patch applied; keys present but undefined in the patch change nothing. */
export function applyPatch(user: User, patch: UserPatch, updatedAt: string): User {
  const defined = Object.entries(patch).filter(([, value]) => value !== undefined);
  return { ...user, ...(structuredClone(Object.fromEntries(defined)) as UserPatch), updatedAt };
}

/** Whether the stored user still is what an update's condition expects. */
export function holds(condition: UpdateCondition, user: User): boolean {
  const { passwordHash, email, active } = condition;
  if (passwordHash !== undefined && passwordHash !== user.passwordHash) return false;
  if (active && !user.active) return false;
  return email === undefined || loginKey(email) === loginKey(user.email);
}
