import { createSecretKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { AppError, AppErrorCode } from '../../common/errors/app-error';
import { JwtAlgorithm } from '../../config/env.validation';
import { SigningKey } from '../../tokens/signing-key';
import { accessTokenKey } from './access-token-key';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const SIG64 = Buffer.alloc(64, 7).toString('base64url');
const token = (header: Record<string, unknown>, signature = SIG64) =>
  `${b64(header)}.${b64({ sub: 'u' })}.${signature}`;

/** Our key set, reduced to the one lookup the checks use (the real one is also a Map). */
function keySet(alg: JwtAlgorithm, key: KeyObject) {
  const keys = new Map<string, SigningKey>([
    ['our-kid', { kid: 'our-kid', alg, signingKey: key, verificationKey: key } as SigningKey],
  ]);
  return { verificationKey: (kid: string) => keys.get(kid) };
}

function reasonOf(result: KeyObject | AppError): string | undefined {
  expect(result).toBeInstanceOf(AppError);
  expect((result as AppError).code).toBe(AppErrorCode.InvalidToken);
  return (result as AppError).detail;
}

describe('accessTokenKey (RS256)', () => {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keys = keySet('RS256', publicKey);
  const good = { alg: 'RS256', typ: 'at+jwt', kid: 'our-kid' };
  const check = (header: Record<string, unknown>) => accessTokenKey(keys, 'RS256', token(header));

  it('returns our verification KeyObject for a well-formed access-token header', () => {
    expect(check(good)).toBe(publicKey);
    expect(check({ ...good, typ: 'application/at+jwt' })).toBe(publicKey);
  });

  it.each(['none', 'None', 'NONE', 'nOnE', 'HS256', 'RS512', 'PS256', 'ES256', 'rs256', ''])(
    'refuses alg %p',
    (alg) => expect(reasonOf(check({ ...good, alg }))).toBe('algorithm not allowed'),
  );

  it.each([['JWT'], ['ws-ticket+jwt'], ['refresh+jwt'], [undefined]])('refuses typ %p', (typ) => {
    expect(reasonOf(check({ ...good, typ }))).toBe('wrong token type');
  });

  it('refuses any crit, even one naming a registered parameter', () => {
    expect(reasonOf(check({ ...good, crit: ['exp'] }))).toBe('unsupported critical header');
    expect(reasonOf(check({ ...good, crit: [] }))).toBe('unsupported critical header');
  });

  it.each(['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256', 'b64', 'cty', 'zip'])(
    'refuses a header carrying %s',
    (name) =>
      expect(reasonOf(check({ ...good, [name]: 'x' }))).toBe('unsupported header parameter'),
  );

  it.each([[undefined], [''], [42], [['our-kid']]])('refuses kid %p as missing', (kid) => {
    expect(reasonOf(check({ ...good, kid }))).toBe('missing kid');
  });

  it.each(['../../../../dev/null', '../keys/x', "' OR 1=1 --", '__proto__', 'OUR-KID'])(
    'refuses kid %p as unknown',
    (kid) => expect(reasonOf(check({ ...good, kid }))).toBe('unknown kid'),
  );

  it('refuses an oversized or malformed token before looking at its header', () => {
    expect(reasonOf(accessTokenKey(keys, 'RS256', token({ ...good, pad: 'x'.repeat(9000) })))).toBe(
      'malformed token',
    );
    expect(reasonOf(accessTokenKey(keys, 'RS256', token(good, '')))).toBe('malformed token');
  });
});

describe('accessTokenKey (ES256)', () => {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keys = keySet('ES256', publicKey);
  const header = { alg: 'ES256', typ: 'at+jwt', kid: 'our-kid' };
  const check = (signature: Buffer) =>
    accessTokenKey(keys, 'ES256', token(header, signature.toString('base64url')));

  it('passes a JOSE-shaped, in-range signature on to the signature check', () => {
    expect(check(Buffer.alloc(64, 7))).toBe(publicKey);
  });

  it('refuses psychic (zero) and DER-length signatures before any verification', () => {
    expect(reasonOf(check(Buffer.alloc(64)))).toBe('malformed signature');
    expect(reasonOf(check(Buffer.alloc(72, 7)))).toBe('malformed signature');
  });
});

describe('accessTokenKey (HS256)', () => {
  it('still insists on a kid of ours', () => {
    const secret = createSecretKey(Buffer.alloc(32, 1));
    const keys = keySet('HS256', secret);
    const header = { alg: 'HS256', typ: 'at+jwt' };
    expect(accessTokenKey(keys, 'HS256', token({ ...header, kid: 'our-kid' }))).toBe(secret);
    expect(reasonOf(accessTokenKey(keys, 'HS256', token({ ...header, kid: 'x' })))).toBe(
      'unknown kid',
    );
  });
});
