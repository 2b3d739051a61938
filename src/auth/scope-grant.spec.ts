import { grantScopes } from './scope-grant';

describe('grantScopes', () => {
  const user = { roles: ['user' as const], scopes: ['users:read'] };

  it('grants every allowed scope when none is asked for', () => {
    expect(grantScopes(user).split(' ').sort()).toEqual(['profile', 'users:read']);
  });

  it('grants the intersection of asked and allowed, dropping unknown and not-allowed scopes', () => {
    expect(grantScopes(user, 'users:read users:write made:up')).toBe('users:read');
  });

  it('never grants an unknown scope, even one stored on the user', () => {
    const legacy = { roles: ['user' as const], scopes: ['users:read', 'bogus:scope'] };
    expect(grantScopes(legacy).split(' ').sort()).toEqual(['profile', 'users:read']);
    expect(grantScopes(legacy, 'bogus:scope users:read')).toBe('users:read');
  });

  it('grants nothing when nothing asked is allowed', () => {
    expect(grantScopes(user, 'tokens:introspect')).toBe('');
  });

  it("gives admins their role's default scopes", () => {
    expect(
      grantScopes({ roles: ['user', 'admin'], scopes: [] })
        .split(' ')
        .sort(),
    ).toEqual(['audit:read', 'profile', 'tokens:introspect', 'users:read', 'users:write']);
  });
});
