import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError, AppErrorCode } from '../../common/errors/app-error';
import { AuthenticatedUser } from '../../tokens/token.types';
import { ACCESS_KEY, AccessPolicy } from '../decorators/access.metadata';

const AUTHENTICATED: AccessPolicy = { kind: 'authenticated' };

/**
 * Decorator metadata never changes after start-up, and three guards ask for it on every request:
 * each route handler's policy is read once and kept here (a handler belongs to one class).
 */
const policies = new WeakMap<object, AccessPolicy>();

/** The route's declared policy; a route that declares none is treated as `authenticated`. */
export function policyOf(reflector: Reflector, context: ExecutionContext): AccessPolicy {
  const handler = context.getHandler();
  let policy = policies.get(handler);
  if (!policy) {
    policy =
      reflector.getAllAndOverride<AccessPolicy | undefined>(ACCESS_KEY, [
        handler,
        context.getClass(),
      ]) ?? AUTHENTICATED;
    policies.set(handler, policy);
  }
  return policy;
}

/** The caller JwtAuthGuard authenticated; reaching a later guard without one is refused (401). */
export function callerOf(context: ExecutionContext): AuthenticatedUser {
  const user = context.switchToHttp().getRequest<{ user?: AuthenticatedUser }>().user;
  if (!user) throw new AppError(AppErrorCode.Unauthenticated, 'Authentication required.');
  return user;
}

export function hasAnyRole(user: AuthenticatedUser, roles: string[]): boolean {
  return roles.some((role) => (user.roles as string[]).includes(role));
}

/** Every listed scope is in the token. An empty list grants nothing: fail closed. */
export function hasAllScopes(user: AuthenticatedUser, scopes: string[]): boolean {
  return scopes.length > 0 && scopes.every((scope) => user.scopes.includes(scope));
}
