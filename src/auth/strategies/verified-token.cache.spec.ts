import { ManualClock } from '../../common/time/manual-clock';
import { JwtConfig } from '../../config/configuration';
import { SigningKeys } from '../../tokens/signing-keys';
import { AccessClaims } from '../../tokens/token.types';
import { VerifiedTokenCache } from './verified-token.cache';

/** A compact JWS-shaped string with this kid in its header (the cache never checks signatures). */
function aToken(kid: string, n: number): string {
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid })).toString(
    'base64url',
  );
  return `${header}.${Buffer.from(`{"n":${n}}`).toString('base64url')}.c2ln`;
}

describe('VerifiedTokenCache', () => {
  const clock = new ManualClock();
  const liveKids = new Set(['k1']);
  const keys = {
    verificationKey: (kid: string) => (liveKids.has(kid) ? {} : undefined),
  } as unknown as SigningKeys;
  const claims = (expInSeconds: number) =>
    ({ exp: Math.floor(clock.now() / 1000) + expInSeconds }) as AccessClaims;
  const cacheOf = (size: number) =>
    new VerifiedTokenCache({ tokenCacheSize: size } as JwtConfig, keys, clock);

  it('returns the claims of a token it was given, for that exact string only', () => {
    const cache = cacheOf(10);
    const token = aToken('k1', 1);
    cache.set(token, claims(60));
    expect(cache.get(token)).toEqual(claims(60));
    expect(cache.get(`${token}x`)).toBeUndefined();
    expect(cache.get(token.replace('c2ln', 'c2lo'))).toBeUndefined();
  });

  it('serves a token only to its exact string, also when another ends the same way', () => {
    const cache = cacheOf(10);
    const signature = 's'.repeat(342);
    const token = `${aToken('k1', 1).split('.').slice(0, 2).join('.')}.${signature}`;
    const sameEnd = `${aToken('k1', 2).split('.').slice(0, 2).join('.')}.${signature}`;
    cache.set(token, claims(60));
    expect(cache.get(sameEnd)).toBeUndefined();
    expect(cache.get(`x${token}`)).toBeUndefined();
    expect(cache.get(token)).toEqual(claims(60));
    // One verified later with the same end takes the slot; the first is then verified again.
    cache.set(sameEnd, claims(30));
    expect(cache.get(sameEnd)).toEqual(claims(30));
    expect(cache.get(token)).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it('never grows past its cap', () => {
    const cache = cacheOf(3);
    for (let n = 0; n < 10; n++) cache.set(aToken('k1', n), claims(60));
    expect(cache.size).toBe(3);
    expect(cache.get(aToken('k1', 0))).toBeUndefined();
    expect(cache.get(aToken('k1', 9))).toBeDefined();
  });

  it('never serves a token at or past its exp', () => {
    const cache = cacheOf(10);
    const token = aToken('k1', 1);
    cache.set(token, claims(60));
    clock.advance(59_000);
    expect(cache.get(token)).toBeDefined();
    clock.advance(1_000);
    expect(cache.get(token)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('drops a token once the key that verified it is retired', () => {
    const cache = cacheOf(10);
    liveKids.add('k2');
    const token = aToken('k2', 1);
    cache.set(token, claims(60));
    expect(cache.get(token)).toBeDefined();
    liveKids.delete('k2');
    expect(cache.get(token)).toBeUndefined();
  });

  it('keeps nothing when its size is 0', () => {
    const cache = cacheOf(0);
    cache.set(aToken('k1', 1), claims(60));
    expect(cache.get(aToken('k1', 1))).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
