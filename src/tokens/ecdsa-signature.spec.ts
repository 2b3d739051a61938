import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { isEcdsaAlgorithm, isValidJoseEcdsaSignature } from './ecdsa-signature';

/** The order n of P-256's base point, as 32 big-endian bytes. */
const N = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');
const ONE = Buffer.alloc(32);
ONE[31] = 1;

const joseOf = (r: Buffer, s: Buffer) => Buffer.concat([r, s]).toString('base64url');
const minus = (value: Buffer, k: number) => {
  const big = BigInt(`0x${value.toString('hex')}`) - BigInt(k);
  return Buffer.from(big.toString(16).padStart(64, '0'), 'hex');
};

describe('isValidJoseEcdsaSignature (ES256)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const message = Buffer.from('header.payload');
  const jose = sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  const [r, s] = [jose.subarray(0, 32), jose.subarray(32)];

  it('accepts a real JOSE signature (and Node verifies it: the fixture is sound)', () => {
    expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, jose)).toBe(
      true,
    );
    expect(isValidJoseEcdsaSignature('ES256', jose.toString('base64url'))).toBe(true);
  });

  it.each([
    ['r = s = 0 (CVE-2022-21449)', () => joseOf(Buffer.alloc(32), Buffer.alloc(32))],
    ['r = 0', () => joseOf(Buffer.alloc(32), s)],
    ['s = 0', () => joseOf(r, Buffer.alloc(32))],
    ['r = s = n', () => joseOf(N, N)],
    ['r = n', () => joseOf(N, s)],
    ['s = n', () => joseOf(r, N)],
    ['r = 2^256 - 1', () => joseOf(Buffer.alloc(32, 0xff), s)],
  ])('refuses a signature with %s', (_name, build) => {
    expect(isValidJoseEcdsaSignature('ES256', build())).toBe(false);
  });

  it('accepts the range bounds 1 and n - 1', () => {
    expect(isValidJoseEcdsaSignature('ES256', joseOf(ONE, minus(N, 1)))).toBe(true);
    expect(isValidJoseEcdsaSignature('ES256', joseOf(minus(N, 1), ONE))).toBe(true);
  });

  it('refuses the DER encoding of a valid signature', () => {
    const der = sign('sha256', message, { key: privateKey, dsaEncoding: 'der' });
    expect(verify('sha256', message, publicKey, der)).toBe(true);
    expect(isValidJoseEcdsaSignature('ES256', der.toString('base64url'))).toBe(false);
  });

  it.each([0, 1, 63, 65, 128])('refuses a %i-byte signature', (length) => {
    const bytes = Buffer.alloc(length, 0x42);
    expect(isValidJoseEcdsaSignature('ES256', bytes.toString('base64url'))).toBe(false);
  });

  it('refuses a non-canonical base64url spelling of a valid signature', () => {
    const segment = jose.toString('base64url');
    // 64 bytes use 512 of the last 516 bits; flipping an unused low bit decodes to the same bytes.
    const last = segment.at(-1) ?? '';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = segment.slice(0, -1) + alphabet[alphabet.indexOf(last) ^ 1];
    expect(Buffer.from(twin, 'base64url').equals(jose)).toBe(true);
    expect(isValidJoseEcdsaSignature('ES256', twin)).toBe(false);
    expect(isValidJoseEcdsaSignature('ES256', `${segment}=`)).toBe(false);
  });
});

describe('isEcdsaAlgorithm', () => {
  it('knows ES256 and nothing else, not even inherited names', () => {
    expect(isEcdsaAlgorithm('ES256')).toBe(true);
    for (const alg of ['RS256', 'PS256', 'HS256', 'es256', 'ES384', 'toString', '__proto__']) {
      expect(isEcdsaAlgorithm(alg)).toBe(false);
    }
  });
});
