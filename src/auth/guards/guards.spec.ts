import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError } from '../../common/errors/app-error';
import { AuthenticatedUser } from '../../tokens/token.types';
import { AccessPolicy, ACCESS_KEY } from '../decorators/access.metadata';
import { RolesGuard } from './roles.guard';
import { ScopesGuard } from './scopes.guard';

function contextFor(
  policy: AccessPolicy | undefined,
  user: Partial<AuthenticatedUser>,
): ExecutionContext {
  const handler = () => undefined;
  if (policy) Reflect.defineMetadata(ACCESS_KEY, policy, handler);
  return {
    getHandler: () => handler,
    getClass: () => class {},
    switchToHttp: () => ({ getRequest: () => ({ user: { roles: [], scopes: [], ...user } }) }),
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
const adminOrReader: AccessPolicy = {
  kind: 'authorized',
  roles: ['admin'],
  scopes: ['users:read'],
};

describe('RolesGuard and ScopesGuard', () => {
  it('let any authenticated caller through routes without roles or scopes', () => {
    expect(both({ kind: 'authenticated' }, {})).toBe(true);
    expect(both(undefined, {})).toBe(true);
  });

  it('let a caller with a listed role through', () => {
    expect(both(adminOrReader, { roles: ['user', 'admin'] })).toBe(true);
  });

  it('let a caller with every listed scope through', () => {
    expect(both(adminOrReader, { roles: ['user'], scopes: ['users:read'] })).toBe(true);
  });

  it('refuse a caller with neither the role nor the scopes with 403', () => {
    expect(() => both(adminOrReader, { roles: ['user'], scopes: ['profile'] })).toThrow(AppError);
  });

  it('require all scopes when several are listed', () => {
    const policy: AccessPolicy = {
      kind: 'authorized',
      roles: [],
      scopes: ['users:read', 'users:write'],
    };
    expect(() => both(policy, { scopes: ['users:read'] })).toThrow(AppError);
    expect(both(policy, { scopes: ['users:write', 'users:read'] })).toBe(true);
  });

  it('require the role on role-only routes', () => {
    const policy: AccessPolicy = { kind: 'authorized', roles: ['admin'], scopes: [] };
    expect(() => both(policy, { roles: ['user'], scopes: ['users:read', 'users:write'] })).toThrow(
      AppError,
    );
  });
});
