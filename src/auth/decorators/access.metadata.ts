import { Role } from '../../users/user';

/** Metadata key of a route's access decision; every route declares one (see the access manifest). */
export const ACCESS_KEY = 'tessera:access';

/**
 * Who may call a route:
 * - `public`: anyone;
 * - `authenticated`: any valid access token;
 * - `authorized`: a valid access token with ANY of `roles`, or ALL of `scopes`. When both lists are
 *   given either suffices ("role admin or scope users:read").
 */
export type AccessPolicy =
  | { kind: 'public' }
  | { kind: 'authenticated' }
  | { kind: 'authorized'; roles: Role[]; scopes: string[] };
