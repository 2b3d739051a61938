import { AppError } from '../../common/errors/app-error';
import { accessClaimsOf } from './access-claims';

const NOW = 1_800_000_000;
const SKEW = 30;

const claims = (overrides: Record<string, unknown> = {}) => ({
  iss: 'http://localhost:3000',
  sub: 'user-1',
  aud: 'tessera-api',
  iat: NOW,
  nbf: NOW,
  exp: NOW + 900,
  jti: 'jti-1',
  sid: 'session-1',
  roles: ['user'],
  scope: 'profile',
  ...overrides,
});

function reasonOf(payload: unknown): string | undefined {
  try {
    accessClaimsOf(payload, NOW, SKEW);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return (error as AppError).detail;
  }
  throw new Error('accepted');
}

describe('accessClaimsOf', () => {
  it('returns the claims of a complete, current token', () => {
    expect(accessClaimsOf(claims(), NOW, SKEW)).toEqual(claims());
  });

  it.each(['iss', 'sub', 'aud', 'jti', 'sid', 'iat', 'nbf', 'exp', 'scope', 'roles'])(
    'refuses a token without %s',
    (name) => expect(reasonOf(claims({ [name]: undefined }))).toBe(`missing or malformed ${name}`),
  );

  it.each([
    ['aud', ['tessera-api']],
    ['exp', '9999999999'],
    ['iat', Number.NaN],
    ['sid', ''],
    ['roles', ['superuser']],
  ])('refuses a malformed %s', (name, value) => {
    expect(reasonOf(claims({ [name]: value }))).toBe(`missing or malformed ${name}`);
  });

  it('allows exp, nbf and iat to be off by up to the skew and no more', () => {
    expect(() => accessClaimsOf(claims({ exp: NOW - SKEW + 1 }), NOW, SKEW)).not.toThrow();
    expect(reasonOf(claims({ exp: NOW - SKEW }))).toBe('token expired');
    expect(() => accessClaimsOf(claims({ nbf: NOW + SKEW }), NOW, SKEW)).not.toThrow();
    expect(reasonOf(claims({ nbf: NOW + SKEW + 1 }))).toBe('token not yet valid');
    expect(() => accessClaimsOf(claims({ iat: NOW + SKEW }), NOW, SKEW)).not.toThrow();
    expect(reasonOf(claims({ iat: NOW + SKEW + 1 }))).toBe('issued in the future');
  });

  it('refuses a payload that is not an object', () => {
    expect(reasonOf('a string payload')).toBe('malformed token');
    expect(reasonOf(null)).toBe('malformed token');
  });

  it('accepts the RFC 9068 client_id, and a token signed before it was added (deploy window)', () => {
    expect(accessClaimsOf(claims({ client_id: 'tessera' }), NOW, SKEW)).toEqual(
      claims({ client_id: 'tessera' }),
    );
    expect(accessClaimsOf(claims(), NOW, SKEW)).toEqual(claims());
  });

  it.each([42, '', null])('refuses a malformed client_id (%p)', (value) => {
    expect(reasonOf(claims({ client_id: value }))).toBe('malformed client_id');
  });
});
