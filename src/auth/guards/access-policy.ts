import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthenticatedUser } from '../../tokens/token.types';
import { ACCESS_KEY, AccessPolicy } from '../decorators/access.metadata';

/** The route's declared policy; a route that declares none is treated as `authenticated`. */
export function policyOf(reflector: Reflector, context: ExecutionContext): AccessPolicy {
  return (
    reflector.getAllAndOverride<AccessPolicy | undefined>(ACCESS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]) ?? {
      kind: 'authenticated',
    }
  );
}

export function userOf(context: ExecutionContext): AuthenticatedUser | undefined {
  return context.switchToHttp().getRequest<{ user?: AuthenticatedUser }>().user;
}

export function hasAnyRole(user: AuthenticatedUser, roles: string[]): boolean {
  return roles.some((role) => (user.roles as string[]).includes(role));
}

export function hasAllScopes(user: AuthenticatedUser, scopes: string[]): boolean {
  return scopes.length > 0 && scopes.every((scope) => user.scopes.includes(scope));
}
