import { FastifyRequest } from 'fastify';
import { MAX_TOKEN_LENGTH } from '../../tokens/token-header';
import { bearerToken } from './bearer-token';

const withAuthorization = (authorization?: string) =>
  ({ headers: authorization === undefined ? {} : { authorization } }) as FastifyRequest;

describe('bearerToken', () => {
  it('finds no token without an Authorization header', () => {
    expect(bearerToken(withAuthorization())).toBeNull();
  });

  it.each(['Bearer abc.def-_~+/.ghi==', 'bearer abc.def-_~+/.ghi==', 'BEARER abc.def-_~+/.ghi=='])(
    'takes the token of %p (scheme case-insensitive)',
    (header) => expect(bearerToken(withAuthorization(header))).toBe('abc.def-_~+/.ghi=='),
  );

  it.each(['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', 'Bearer  abc', 'Bearer a b', 'Bearer a"b'])(
    'yields a token that fails as malformed for %p, never anonymous',
    (header) => expect(bearerToken(withAuthorization(header))).toBe('malformed'),
  );

  it('refuses an oversized header by its length alone', () => {
    const atCap = `Bearer ${'a'.repeat(MAX_TOKEN_LENGTH)}`;
    expect(bearerToken(withAuthorization(atCap))).toBe('a'.repeat(MAX_TOKEN_LENGTH));
    expect(bearerToken(withAuthorization(`${atCap}a`))).toBe('malformed');
  });
});
