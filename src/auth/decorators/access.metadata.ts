import { Role } from '../../users/user';

/** Metadata key of a route's access decision; every route declares one (see the access manifest). */
export const ACCESS_KEY = 'tessera:access';

/**
 * Who may call a route:
 * - `public`: anyone;
 * - `authenticated`: any valid access token — except an enrolment-only one (scope `mfa:enrol`,
 *   MFA_REQUIRED_ROLES), which only routes with `enrolment: true` accept;
 * - `authorized`: a valid access token holding ALL of `scopes` (never empty) AND, when `roles` is
 *   not empty, ANY of `roles`. A role never stands in for a scope: a role is only a source of
 *   default scopes at login, so a token asked with a narrower `scope` is really narrower. `roles`
 *   can only narrow a route further (both must hold), never widen it.
 */
export type AccessPolicy =
  | { kind: 'public' }
  | { kind: 'authenticated'; enrolment?: true }
  | { kind: 'authorized'; roles: Role[]; scopes: string[] };
