import { Role } from '../users/user';

/**
 * Scopes every user of a role may hold without being granted them one by one. This is all a role
 * means for authorization: routes check scopes, never roles (API.md, "Authorization is by scope").
 */
export const ROLE_DEFAULT_SCOPES: Record<Role, readonly string[]> = {
  user: ['profile'],
  admin: ['profile', 'users:read', 'users:write', 'tokens:introspect', 'audit:read'],
};

/** Every scope Tessera knows; anything else asked for at login is dropped, never granted. */
export const KNOWN_SCOPES: readonly string[] = [
  'profile',
  'users:read',
  'users:write',
  'tokens:introspect',
  'audit:read',
];
