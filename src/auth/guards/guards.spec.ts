import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError, AppErrorCode } from '../../common/errors/app-error';
import { AuthenticatedUser } from '../../tokens/token.types';
import { AccessPolicy, ACCESS_KEY } from '../decorators/access.metadata';
import { Authorize } from '../decorators/authorize.decorator';
import { RolesGuard } from './roles.guard';
import { ScopesGuard } from './scopes.guard';

function contextFor(
  policy: AccessPolicy | undefined,
  user: Partial<AuthenticatedUser> | null,
): ExecutionContext {
  const handler = () => undefined;
  if (policy) Reflect.defineMetadata(ACCESS_KEY, policy, handler);
  const request = { user: user && { roles: [], scopes: [], ...user } };
  return {
    getHandler: () => handler,
    getClass: () => class {},
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

const reflector = new Reflector();
const both = (policy: AccessPolicy | undefined, user: Partial<AuthenticatedUser>) => {
  const context = contextFor(policy, user);
  return (
    new RolesGuard(reflector).canActivate(context) &&
    new ScopesGuard(reflector).canActivate(context)
  );
};
const readers: AccessPolicy = { kind: 'authorized', roles: [], scopes: ['users:read'] };
const adminReaders: AccessPolicy = { kind: 'authorized', roles: ['admin'], scopes: ['users:read'] };
const denied = (policy: AccessPolicy, user: Partial<AuthenticatedUser>) => {
  try {
    both(policy, user);
  } catch (e) {
    return (e as AppError).code;
  }
  return 'allowed';
};

describe('RolesGuard and ScopesGuard', () => {
  it('let any authenticated caller through routes without roles or scopes', () => {
    expect(both({ kind: 'authenticated' }, {})).toBe(true);
    expect(both(undefined, {})).toBe(true);
  });

  it('let a caller with every listed scope through, whatever its roles', () => {
    expect(both(readers, { roles: ['user'], scopes: ['profile', 'users:read'] })).toBe(true);
  });

  it('refuse an admin whose token lacks the scope with 403: a role never stands in for a scope', () => {
    expect(denied(readers, { roles: ['user', 'admin'], scopes: ['profile'] })).toBe(
      AppErrorCode.Forbidden,
    );
    expect(denied(adminReaders, { roles: ['user', 'admin'], scopes: ['profile'] })).toBe(
      AppErrorCode.Forbidden,
    );
  });

  it('require all scopes when several are listed', () => {
    const policy: AccessPolicy = {
      kind: 'authorized',
      roles: [],
      scopes: ['users:read', 'users:write'],
    };
    expect(denied(policy, { scopes: ['users:read'] })).toBe(AppErrorCode.Forbidden);
    expect(both(policy, { scopes: ['users:write', 'users:read'] })).toBe(true);
  });

  it('require the role as well as the scopes on routes that list both', () => {
    expect(denied(adminReaders, { roles: ['user'], scopes: ['users:read'] })).toBe(
      AppErrorCode.Forbidden,
    );
    expect(both(adminReaders, { roles: ['user', 'admin'], scopes: ['users:read'] })).toBe(true);
  });

  it('refuse everyone on an authorized route that names no scope (fail closed)', () => {
    const roleOnly: AccessPolicy = { kind: 'authorized', roles: ['admin'], scopes: [] };
    expect(denied(roleOnly, { roles: ['user', 'admin'], scopes: ['users:read'] })).toBe(
      AppErrorCode.Forbidden,
    );
  });

  it('answer 401, not 403, when no authenticated caller reached them', () => {
    const context = contextFor(readers, null);
    expect(() => new ScopesGuard(reflector).canActivate(context)).toThrow(
      expect.objectContaining({ code: AppErrorCode.Unauthenticated }),
    );
  });
});

describe('@Authorize', () => {
  it('refuses, at start-up, a route that names no scope', () => {
    expect(() => Authorize({ scopes: [] as unknown as [string], roles: ['admin'] })).toThrow(
      /at least one scope/,
    );
  });
});
