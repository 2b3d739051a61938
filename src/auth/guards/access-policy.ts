import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError, AppErrorCode } from '../../common/errors/app-error';
import { AuthenticatedUser } from '../../tokens/token.types';
import { ACCESS_KEY, AccessPolicy } from '../decorators/access.metadata';
import { CALLER_ACCOUNT_KEY } from '../decorators/caller-account.decorator';

const AUTHENTICATED: AccessPolicy = { kind: 'authenticated' };

/**
 * Decorator metadata never changes after start-up, and the guards ask for it on every request:
 * each route handler's metadata is read once and kept (a handler belongs to one class).
 */
function perHandler<T>(read: (reflector: Reflector, context: ExecutionContext) => T) {
  const cache = new WeakMap<object, { value: T }>();
  return (reflector: Reflector, context: ExecutionContext): T => {
    const handler = context.getHandler();
    let entry = cache.get(handler);
    if (!entry) {
      entry = { value: read(reflector, context) };
      cache.set(handler, entry);
    }
    return entry.value;
  };
}

/** The route's declared policy; a route that declares none is treated as `authenticated`. */
export const policyOf = perHandler(
  (reflector, context): AccessPolicy =>
    reflector.getAllAndOverride<AccessPolicy | undefined>(ACCESS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]) ?? AUTHENTICATED,
);

/** Whether the route reads the caller's account (`@WithCallerAccount()`). */
export const readsCallerAccount = perHandler(
  (reflector, context): boolean =>
    reflector.get<boolean | undefined>(CALLER_ACCOUNT_KEY, context.getHandler()) === true,
);

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
