import { createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { graceClientHash, GraceAnswer, RefreshGraceSeal } from './refresh-grace';
import { newRefreshToken } from './refresh-token';
import { TokenResponse } from './token.types';

describe('refresh grace answers', () => {
  const ref = {
    userId: '0190a6e4-0000-7c3e-8a1b-1234567890ab',
    sessionId: '0190a6e4-7f4b-7c3e-8a1b-1234567890ab',
  };
  const presented = newRefreshToken(ref).token;
  const next = newRefreshToken(ref).token;
  const response: TokenResponse = {
    access_token: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl',
    token_type: 'Bearer',
    expires_in: 900,
    refresh_token: next,
    refresh_expires_in: 3600,
    scope: 'profile',
    session_id: ref.sessionId,
  };
  const answer = { response, issuedAt: 1_700_000_000_000 };
  const context = `${ref.sessionId}.${graceClientHash('device:a')}`;
  const box = new RefreshGraceSeal(randomBytes(32));
  const sealGraceAnswer = (token: string, ctx: string, a: GraceAnswer) => box.seal(token, ctx, a);
  const openGraceAnswer = (token: string, ctx: string, sealed: string) =>
    box.open(token, ctx, sealed);

  it('opens with the token it answers, in its context', () => {
    const sealed = sealGraceAnswer(presented, context, answer);
    expect(openGraceAnswer(presented, context, sealed)).toEqual(answer);
  });

  it('holds neither token nor any part of them in the clear', () => {
    const sealed = sealGraceAnswer(presented, context, answer);
    // Parts long enough to mean something: a split can yield '' or a few characters, which any
    // base64url text may contain by chance.
    const parts = [presented, next, response.access_token]
      .flatMap((t) => t.split(/[._]/))
      .filter((part) => part.length >= 16);
    expect(parts.length).toBeGreaterThan(4);
    for (const part of parts) expect(sealed).not.toContain(part);
  });

  it('does not open with another token, in another context, or tampered with', () => {
    const sealed = sealGraceAnswer(presented, context, answer);
    expect(openGraceAnswer(next, context, sealed)).toBeNull();
    const elsewhere = `${ref.sessionId}.${graceClientHash('device:b')}`;
    expect(openGraceAnswer(presented, elsewhere, sealed)).toBeNull();
    const other = sealed.at(-2) === 'A' ? 'B' : 'A';
    const flipped = sealed.slice(0, -2) + other + sealed.slice(-1);
    expect(flipped).not.toBe(sealed);
    expect(openGraceAnswer(presented, context, flipped)).toBeNull();
    expect(openGraceAnswer(presented, context, 'v2.short.x')).toBeNull();
    expect(openGraceAnswer(presented, context, '')).toBeNull();
  });

  it('seals the same answer differently each time (a fresh IV)', () => {
    expect(sealGraceAnswer(presented, context, answer)).not.toBe(
      sealGraceAnswer(presented, context, answer),
    );
  });

  it('keeps a client only as a hash', () => {
    expect(graceClientHash('device:a')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(graceClientHash('device:a')).not.toContain('device');
  });

  it('does not open under another server key, though with the token it answers', () => {
    const sealed = sealGraceAnswer(presented, context, answer);
    expect(new RefreshGraceSeal(randomBytes(32)).open(presented, context, sealed)).toBeNull();
  });

  it('cannot be opened offline from the store and the used token alone (review L4)', () => {
    // What a copy of the store and the retired token give: a key derived from the token only,
    // as the first version of the seal did. The server key is in neither.
    const sealed = sealGraceAnswer(presented, context, answer);
    const [, iv, body] = sealed.split('.');
    const data = Buffer.from(body, 'base64url');
    const secret = Buffer.from(presented.slice(presented.lastIndexOf('.') + 1), 'base64url');
    for (const info of ['tessera refresh-grace v1', 'tessera refresh-grace v2']) {
      const key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), info, 32));
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
        .setAAD(Buffer.from(context))
        .setAuthTag(data.subarray(data.length - 16));
      decipher.update(data.subarray(0, data.length - 16));
      expect(() => decipher.final()).toThrow();
    }
  });

  it('refuses a server key that is not 32 bytes', () => {
    expect(() => new RefreshGraceSeal(randomBytes(16))).toThrow('32-byte key');
  });
});
