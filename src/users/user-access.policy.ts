import { AppError, AppErrorCode } from '../common/errors/app-error';
import { AuthenticatedUser } from '../tokens/token.types';
import { Role, User } from './user';

/** Who calls the admin users API, as far as these rules care. */
export type Caller = Pick<AuthenticatedUser, 'userId' | 'roles' | 'scopes'>;

export interface RightsChange {
  roles?: Role[];
  scopes?: string[];
  active?: boolean;
}

/*
 * Rules of the admin users API, on top of the route guard (scope users:write, whatever the role).
 * The scope exists so a non-admin can manage plain users; without these rules its holder could
 * make itself (or a friend) admin, grant any scope, or lock the admins out. So:
 * 1. Only an admin caller sets roles: role admin AND scope users:write in the token (a role alone
 *    is never power, API.md "Authorization is by scope"). Anyone else with users:write creates
 *    and keeps plain users only.
 * 2. A non-admin caller adds or removes only scopes its own token holds: it can never hand out
 *    more than it has, nor take away rights it could not give.
 * 3. Nobody changes their own roles, scopes or active flag, or deletes themselves: rights always
 *    come from someone else, and an admin cannot lock themselves out by mistake.
 * 4. A non-admin caller may not touch an admin (a user holding the admin role) at all.
 */

/** 403 unless `caller` may create a user with these rights. */
export function assertMayCreate(caller: Caller, input: RightsChange): void {
  if (isAdmin(caller)) return;
  if (beyondPlainUser(input.roles)) throw forbidden('Only an admin may create a user with roles.');
  assertScopesHeld(caller, [], input.scopes ?? []);
}

/** 403 unless `caller` may apply `change` to `target`. */
export function assertMayUpdate(caller: Caller, target: User, change: RightsChange): void {
  const touchesRights = Object.values(change).some((v) => v !== undefined);
  if (caller.userId === target.id && touchesRights) {
    throw forbidden('You cannot change your own roles, scopes or active flag; ask an admin.');
  }
  if (isAdmin(caller)) return;
  if (holdsAdminRole(target)) throw forbidden('Only an admin may change an admin.');
  if (beyondPlainUser(change.roles)) throw forbidden('Only an admin may change roles.');
  if (change.scopes) assertScopesHeld(caller, target.scopes, change.scopes);
}

/** 403 unless `caller` may delete `target`. */
export function assertMayDelete(caller: Caller, target: User): void {
  if (caller.userId === target.id) throw forbidden('You cannot delete yourself; ask an admin.');
  if (!isAdmin(caller) && holdsAdminRole(target))
    throw forbidden('Only an admin may delete an admin.');
}

/** A user holding the admin role: what "touches an admin" is about. */
function holdsAdminRole(who: { roles: readonly Role[] }): boolean {
  return who.roles.includes('admin');
}

/**
 * A caller with an admin's power here: the admin role AND users:write in this token. The route
 * guard already demands users:write; checking it again keeps the rule true for any other caller
 * of these functions, so an admin's narrowed token is never treated as a full admin.
 */
function isAdmin(caller: Caller): boolean {
  return holdsAdminRole(caller) && caller.scopes.includes('users:write');
}

/** Any role beyond `user` (which everyone has) is a role change only an admin may make. */
function beyondPlainUser(roles: Role[] | undefined): boolean {
  return (roles ?? []).some((r) => r !== 'user');
}

/** Every scope added or removed must be one the caller's own token carries. */
function assertScopesHeld(caller: Caller, before: string[], after: string[]): void {
  const changed = [
    ...after.filter((s) => !before.includes(s)),
    ...before.filter((s) => !after.includes(s)),
  ];
  const notHeld = [...new Set(changed.filter((s) => !caller.scopes.includes(s)))];
  if (notHeld.length > 0) {
    throw forbidden(`You may grant or remove only scopes you hold; not: ${notHeld.join(', ')}.`);
  }
}

function forbidden(detail: string): AppError {
  return new AppError(AppErrorCode.Forbidden, detail);
}
