import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { AppErrorCode } from '../../common/errors/app-error';
import { ApiProblem, ApiStoreUnavailable } from '../../common/openapi/api-problem.decorator';
import { Role } from '../../users/user';
import { ACCESS_KEY, AccessPolicy } from './access.metadata';

/** The 401 of every route that needs a token, and the 503 of the session check. */
const apiBearerProblems = () => [
  ApiProblem(
    'No access token, or one that is refused (expired, revoked, its session ended): refresh ' +
      'once on `invalid-token`, then sign in again',
    AppErrorCode.Unauthenticated,
    AppErrorCode.InvalidToken,
  ),
  ApiStoreUnavailable(),
];

/**
 * Any valid access token; documents the bearer requirement and the 401 in OpenAPI. An
 * enrolment-only token (MFA_REQUIRED_ROLES) is refused with 403 mfa-enrolment-required unless
 * `enrolment` is set: the routes that enrol a second factor, and logout.
 */
export function Authenticated(options: { enrolment?: true } = {}) {
  const policy: AccessPolicy = options.enrolment
    ? { kind: 'authenticated', enrolment: true }
    : { kind: 'authenticated' };
  return applyDecorators(
    SetMetadata(ACCESS_KEY, policy),
    ApiBearerAuth(),
    ...apiBearerProblems(),
    ...(options.enrolment
      ? []
      : [
          ApiProblem(
            'An enrolment-only token (`MFA_REQUIRED_ROLES`): enrol a second factor first',
            AppErrorCode.MfaEnrolmentRequired,
          ),
        ]),
  );
}

/** What a route needs: every scope listed (at least one), and optionally also one of `roles`. */
export interface Requirement {
  scopes: readonly [string, ...string[]];
  roles?: readonly Role[];
}

/**
 * A valid access token holding ALL of `scopes`, and also ANY of `roles` when roles are given
 * (both must hold: a role narrows a route, it never replaces a scope). Documents the bearer
 * requirement, the 401 and the 403 in OpenAPI.
 */
export function Authorize(requirement: Requirement) {
  // Checked once at start-up: the type already forbids it, this stops a cast from opening a route.
  if (requirement.scopes.length === 0) throw new Error('@Authorize needs at least one scope');
  const policy: AccessPolicy = {
    kind: 'authorized',
    roles: [...(requirement.roles ?? [])],
    scopes: [...requirement.scopes],
  };
  return applyDecorators(
    SetMetadata(ACCESS_KEY, policy),
    ApiBearerAuth(),
    ...apiBearerProblems(),
    ApiProblem(`The token lacks ${describeNeed(policy)}`, {
      code: AppErrorCode.Forbidden,
      detail: `Your token lacks a required scope (this route needs: ${policy.scopes.join(' ')}).`,
      requiredScopes: policy.scopes,
    }),
  );
}

function describeNeed(policy: { roles: Role[]; scopes: string[] }): string {
  const scopes = `scope ${policy.scopes.join(' and ')}`;
  return policy.roles.length ? `${scopes}, and role ${policy.roles.join(' or ')}` : scopes;
}
