import { newRefreshToken, parseRefreshToken } from './refresh-token';

describe('refresh tokens', () => {
  const ref = {
    userId: '0190a6e4-0000-7c3e-8a1b-1234567890ab',
    sessionId: '0190a6e4-7f4b-7c3e-8a1b-1234567890ab',
  };
  const { userId, sessionId: sid } = ref;

  it('parses back to the user id, the session id and the stored hash', () => {
    const { token, hash } = newRefreshToken(ref);
    expect(parseRefreshToken(token)).toEqual({ ...ref, hash });
  });

  it('stores a hash, never the secret', () => {
    const { token, hash } = newRefreshToken(ref);
    expect(token).not.toContain(hash);
    expect(hash).not.toBe(token.split('.')[1]);
  });

  it('is never shaped like a JWT', () => {
    expect(newRefreshToken(ref).token.split('.')).toHaveLength(2);
  });

  it.each([
    '',
    'a.b',
    `${userId}_${sid}.short`,
    `${sid}.${'a'.repeat(43)}`,
    `${userId}_${sid}.${'a'.repeat(43)}.x`,
    'x'.repeat(5000),
  ])('rejects %s', (token) => {
    expect(parseRefreshToken(token)).toBeNull();
  });
});
