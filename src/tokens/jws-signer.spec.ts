import { JwtService } from '@nestjs/jwt';
import { createPublicKey, createSecretKey, KeyObject, randomBytes } from 'node:crypto';
import { JwtAlgorithm } from '../config/env.validation';
import { isValidJoseEcdsaSignature } from './ecdsa-signature';
import { JwsSigner } from './jws-signer';
import { generatePrivateKey } from './key-files';
import { SigningKey } from './signing-key';
import { SigningKeys } from './signing-keys';

const jwt = new JwtService({});
const claims = {
  iss: 'https://issuer.test',
  sub: 'u1',
  aud: 'api',
  iat: 1700000000,
  exp: 1700000900,
  scope: 'ä ✓',
};

async function keyFor(alg: JwtAlgorithm): Promise<SigningKey> {
  const base = { kid: `kid-${alg}`, alg, createdAt: '', activatesAt: '' };
  if (alg === 'HS256') {
    const secret = createSecretKey(randomBytes(32));
    return { ...base, signingKey: secret, verificationKey: secret };
  }
  const privateKey: KeyObject = await generatePrivateKey(alg, 2048);
  return { ...base, signingKey: privateKey, verificationKey: createPublicKey(privateKey) };
}

const signerWith = (key: SigningKey) => new JwsSigner({ active: key } as unknown as SigningKeys);

/** What JwtService (jsonwebtoken) writes for the same claims, header and key. */
const jsonwebtoken = (key: SigningKey, typ: string) =>
  jwt.sign(claims, {
    privateKey: key.signingKey,
    algorithm: key.alg,
    header: { alg: key.alg, typ, kid: key.kid },
  });

describe('JwsSigner', () => {
  // PKCS#1 v1.5 and HMAC are deterministic: the same token, byte for byte.
  it.each(['RS256', 'HS256'] as const)('writes what jsonwebtoken writes (%s)', async (alg) => {
    const key = await keyFor(alg);
    expect(await signerWith(key).sign(claims, 'at+jwt')).toBe(jsonwebtoken(key, 'at+jwt'));
  });

  // PSS and ECDSA signatures are randomised: same header and payload, and jsonwebtoken accepts it.
  it.each(['PS256', 'ES256'] as const)('writes a JWS jsonwebtoken verifies (%s)', async (alg) => {
    const key = await keyFor(alg);
    const token = await signerWith(key).sign(claims, 'at+jwt');
    const [header, payload, signature] = token.split('.');
    expect(`${header}.${payload}`).toBe(
      jsonwebtoken(key, 'at+jwt').split('.').slice(0, 2).join('.'),
    );
    expect(
      jwt.verify(token, {
        publicKey: key.verificationKey.export({ type: 'spki', format: 'pem' }),
        algorithms: [alg],
        clockTimestamp: claims.iat,
      }),
    ).toEqual(claims);
    if (alg === 'ES256') expect(isValidJoseEcdsaSignature('ES256', signature)).toBe(true);
  });

  it('signs with the key active at the time, with its kid', async () => {
    const [first, second] = await Promise.all([keyFor('RS256'), keyFor('ES256')]);
    const keys = { active: first };
    const signer = new JwsSigner(keys as unknown as SigningKeys);
    const before = await signer.sign(claims, 'at+jwt');
    keys.active = second;
    const after = await signer.sign(claims, 'at+jwt');
    expect(jwt.decode(before, { complete: true })?.header).toEqual({
      alg: 'RS256',
      typ: 'at+jwt',
      kid: 'kid-RS256',
    });
    expect(jwt.decode(after, { complete: true })?.header).toEqual({
      alg: 'ES256',
      typ: 'at+jwt',
      kid: 'kid-ES256',
    });
  });

  it('makes an RSA signature off the event loop', async () => {
    const signer = signerWith(await keyFor('RS256'));
    // Thirty-two RSA-2048 signatures are ~10 ms of CPU or more. Made inline, as jsonwebtoken makes
    // them, every one is done before the event loop turns once, so no immediate runs before they
    // are all resolved; made on the thread pool, the loop keeps turning until the last one lands.
    // (Waiting for all of them, not the first, keeps a fast thread from racing the first turn.)
    let turns = 0;
    let turning = true;
    const turn = () => {
      if (!turning) return;
      turns++;
      setImmediate(turn);
    };
    setImmediate(turn);
    await Promise.all(Array.from({ length: 32 }, () => signer.sign(claims, 'at+jwt')));
    turning = false;
    expect(turns).toBeGreaterThan(0);
  });
});
