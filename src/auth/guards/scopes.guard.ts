import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError, AppErrorCode } from '../../common/errors/app-error';
import { hasAllScopes, hasAnyRole, policyOf, userOf } from './access-policy';

/**
 * Third global guard: on `authorized` routes with scopes, requires every listed scope in the
 * token, unless a listed role already grants access.
 */
@Injectable()
export class ScopesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const policy = policyOf(this.reflector, context);
    if (policy.kind !== 'authorized' || policy.scopes.length === 0) return true;
    const user = userOf(context);
    if (!user) throw new AppError(AppErrorCode.Unauthenticated, 'Authentication required.');
    if (hasAllScopes(user, policy.scopes) || hasAnyRole(user, policy.roles)) return true;
    throw new AppError(AppErrorCode.Forbidden, 'Your token lacks a required scope.');
  }
}
