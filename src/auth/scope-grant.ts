import { KNOWN_SCOPES, ROLE_DEFAULT_SCOPES } from '../config/scopes';
import { User } from '../users/user';

/**
 * Scopes the user may hold: their roles' defaults plus scopes granted to them, known ones only.
 * A user stored with an unknown scope (granted before the admin API checked them, or a scope
 * since removed from KNOWN_SCOPES) never carries it: not at login, not at refresh.
 */
export function allowedScopes(user: Pick<User, 'roles' | 'scopes'>): string[] {
  const fromRoles = user.roles.flatMap((role) => ROLE_DEFAULT_SCOPES[role] ?? []);
  return [...new Set([...fromRoles, ...user.scopes])].filter((s) => KNOWN_SCOPES.includes(s));
}

/**
 * Scopes granted at login: all allowed ones when none are asked for, else asked ∩ allowed.
 * Unknown or not-allowed scopes are dropped, never granted, never an error (RFC 6749 §3.3).
 */
export function grantScopes(user: Pick<User, 'roles' | 'scopes'>, asked?: string): string {
  const allowed = allowedScopes(user);
  if (asked === undefined) return allowed.join(' ');
  const wanted = new Set(asked.split(' ').filter(Boolean));
  return allowed.filter((s) => wanted.has(s)).join(' ');
}
