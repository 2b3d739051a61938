import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Role } from '../../users/user';
import { ACCESS_KEY, AccessPolicy } from './access.metadata';
import { ProblemResponse } from '../../common/openapi/problem.schema';

/** Any valid access token; documents the bearer requirement and the 401 in OpenAPI. */
export function Authenticated() {
  return applyDecorators(
    SetMetadata(ACCESS_KEY, { kind: 'authenticated' } satisfies AccessPolicy),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({
      description: 'Missing, invalid, expired or revoked access token',
      type: ProblemResponse,
    }),
  );
}

/**
 * A valid access token with any of `roles` or all of `scopes` (either suffices when both are
 * given). Documents the bearer requirement, the 401 and the 403 in OpenAPI.
 */
export function Authorize(requirement: { roles?: Role[]; scopes?: string[] }) {
  const policy: AccessPolicy = {
    kind: 'authorized',
    roles: requirement.roles ?? [],
    scopes: requirement.scopes ?? [],
  };
  const who = [
    policy.roles.length ? `role ${policy.roles.join(' or ')}` : '',
    policy.scopes.length ? `scope ${policy.scopes.join(' and ')}` : '',
  ].filter(Boolean);
  return applyDecorators(
    SetMetadata(ACCESS_KEY, policy),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({
      description: 'Missing, invalid, expired or revoked access token',
      type: ProblemResponse,
    }),
    ApiForbiddenResponse({ description: `Requires ${who.join(', or ')}`, type: ProblemResponse }),
  );
}
