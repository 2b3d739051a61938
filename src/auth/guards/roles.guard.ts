import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError, AppErrorCode } from '../../common/errors/app-error';
import { callerOf, hasAnyRole, policyOf } from './access-policy';

/**
 * Second global guard: on `authorized` routes that also list roles, refuses a caller holding none
 * of them. It only ever narrows a route: a matching role never lets a caller past ScopesGuard,
 * which runs next and requires every listed scope whatever the caller's roles.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const policy = policyOf(this.reflector, context);
    if (policy.kind !== 'authorized' || policy.roles.length === 0) return true;
    if (hasAnyRole(callerOf(context), policy.roles)) return true;
    throw new AppError(AppErrorCode.Forbidden, 'Your role does not grant access to this resource.');
  }
}
