import { newRefreshToken, parseRefreshToken } from './refresh-token';

describe('refresh tokens', () => {
  const sid = '0190a6e4-7f4b-7c3e-8a1b-1234567890ab';

  it('parses back to the session id and the stored hash', () => {
    const { token, hash } = newRefreshToken(sid);
    expect(parseRefreshToken(token)).toEqual({ sessionId: sid, hash });
  });

  it('stores a hash, never the secret', () => {
    const { token, hash } = newRefreshToken(sid);
    expect(token).not.toContain(hash);
    expect(hash).not.toBe(token.split('.')[1]);
  });

  it('is never shaped like a JWT', () => {
    expect(newRefreshToken(sid).token.split('.')).toHaveLength(2);
  });

  it.each(['', 'a.b', `${sid}.short`, `${sid}.${'a'.repeat(43)}.x`, 'x'.repeat(5000)])(
    'rejects %s',
    (token) => {
      expect(parseRefreshToken(token)).toBeNull();
    },
  );
});
