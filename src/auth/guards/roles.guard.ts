import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError, AppErrorCode } from '../../common/errors/app-error';
import { hasAllScopes, hasAnyRole, policyOf, userOf } from './access-policy';

/**
 * Second global guard: on `authorized` routes with roles, lets through a caller with any of them.
 * A route that also lists scopes is left to ScopesGuard when the role does not match.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const policy = policyOf(this.reflector, context);
    if (policy.kind !== 'authorized' || policy.roles.length === 0) return true;
    const user = userOf(context);
    if (!user) throw new AppError(AppErrorCode.Unauthenticated, 'Authentication required.');
    if (hasAnyRole(user, policy.roles) || hasAllScopes(user, policy.scopes)) return true;
    throw new AppError(
      AppErrorCode.Forbidden,
      'Your token does not grant access to this resource.',
    );
  }
}
