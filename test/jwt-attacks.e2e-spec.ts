import { sign } from 'node:crypto';
import {
  attackerKey,
  b64url,
  Changes,
  joseSign,
  nowSeconds,
  OurKey,
  swapPayload,
  tamperSignature,
  tripwire,
} from './support/jwt-craft';
import { expectRefused, me, Target, useTarget } from './support/jwt-target';

/*
 * Every attack on access-token validation we know of (RFC 8725, RFC 9068), crafted by hand against
 * the real app and its real signing key. Forged tokens are right in every respect but the one
 * under test, and positive controls show such forgeries do pass: no refusal here is vacuous.
 */

type Attack = (x: Target) => string;
type Forgery = (x: Target) => Changes;

const pemOf = (key: OurKey) => key.publicKey.export({ type: 'spki', format: 'pem' }).toString();

describe.each(['RS256', 'ES256'] as const)('access-token attacks against %s on Redis', (alg) => {
  const target = useTarget(alg);

  describe('positive controls', () => {
    it('accepts a token forged with our key and every claim right', async () => {
      const response = await me(target(), target().forge.token());
      expect(response.status).toBe(200);
      expect(response.body.sessionId).toBe(target().tokens.session_id);
    });

    it.each<[string, Forgery]>([
      [
        'iat in the future within the skew',
        (x) => ({ claims: { iat: nowSeconds() + x.skew - 10 } }),
      ],
      [
        'nbf in the future within the skew',
        (x) => ({ claims: { nbf: nowSeconds() + x.skew - 10 } }),
      ],
      ['exp in the past within the skew', (x) => ({ claims: { exp: nowSeconds() - x.skew + 10 } })],
      ['typ application/at+jwt (RFC 9068 §4)', () => ({ header: { typ: 'application/at+jwt' } })],
    ])('accepts %s', async (_name, changes) => {
      const x = target();
      expect((await me(x, x.forge.token(changes(x)))).status).toBe(200);
    });
  });

  describe('algorithm and signature', () => {
    it.each(['none', 'None', 'NONE', 'nOnE'])('refuses alg %s', async (none) => {
      const x = target();
      const input = x.forge.input({ header: { alg: none } });
      await expectRefused(x, `${input}.`, 'malformed token');
      // Even with a signature, made by our own key, over that very header.
      const signature = b64url(joseSign(alg, x.key.privateKey, input));
      await expectRefused(x, `${input}.${signature}`, 'algorithm not allowed');
    });

    it.each<[string, Attack, string]>([
      ['an empty signature', (x) => `${x.forge.input()}.`, 'malformed token'],
      ['a stripped signature', (x) => x.forge.input(), 'malformed token'],
      ['a tampered signature', (x) => tamperSignature(x.forge.token()), 'bad signature'],
      [
        'a tampered payload',
        (x) => swapPayload(x.forge.token(), x.forge.input({ claims: { roles: ['admin'] } })),
        'bad signature',
      ],
    ])('refuses %s', async (_name, attack, reason) => {
      await expectRefused(target(), attack(target()), reason);
    });

    it.each<[string, (key: OurKey) => Buffer | string]>([
      ['PEM', (key) => pemOf(key)],
      ['PEM without the final newline', (key) => pemOf(key).trimEnd()],
      ['DER', (key) => key.publicKey.export({ type: 'spki', format: 'der' })],
      ['JWK (JSON)', (key) => JSON.stringify(key.publicKey.export({ format: 'jwk' }))],
    ])('refuses HS256 signed with our public key as %s', async (_name, secret) => {
      const x = target();
      const token = x.forge.signedWith('HS256', secret(x.key), { header: { alg: 'HS256' } });
      await expectRefused(x, token, 'algorithm not allowed');
    });

    it('refuses a token that brings its own key in a jwk header', async () => {
      const x = target();
      const attacker = attackerKey(alg);
      for (const kid of [x.key.kid, 'attacker', undefined]) {
        const token = x.forge.signedWith(alg, attacker.privateKey, {
          header: { kid, jwk: attacker.jwk },
        });
        await expectRefused(x, token, 'unsupported header parameter');
      }
    });

    it('never fetches a jku or x5u URL, even with our kid in the header', async () => {
      const x = target();
      const attacker = attackerKey(alg);
      const listener = await tripwire({ keys: [attacker.jwk] });
      try {
        for (const [name, kid] of [
          ['jku', 'attacker'],
          ['jku', x.key.kid],
          ['x5u', x.key.kid],
        ]) {
          const header = { kid, [name]: `${listener.url}/${name}.json` };
          const token = x.forge.signedWith(alg, attacker.privateKey, { header });
          await expectRefused(x, token, 'unsupported header parameter');
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(listener.hits).toEqual([]);
      } finally {
        await listener.close();
      }
    });

    it.each<[string, Forgery, string]>([
      [
        'an x5c chain',
        (x) => ({
          header: {
            x5c: [x.key.publicKey.export({ type: 'spki', format: 'der' }).toString('base64')],
          },
        }),
        'unsupported header parameter',
      ],
      [
        'an unknown crit extension',
        () => ({ header: { crit: ['urn:x:unknown'], 'urn:x:unknown': 1 } }),
        'unsupported critical header',
      ],
    ])('refuses %s in the header, even under our own signature', async (_name, changes, reason) => {
      const x = target();
      await expectRefused(x, x.forge.token(changes(x)), reason);
    });
  });

  describe('kid', () => {
    it.each<[string | undefined, string]>([
      ['../../../../dev/null', 'unknown kid'],
      ['../keys/x', 'unknown kid'],
      ["' OR 1=1 --", 'unknown kid'],
      ['unknown-kid', 'unknown kid'],
      [undefined, 'missing kid'],
    ])('refuses kid %p, whatever the signature', async (kid, reason) => {
      const x = target();
      await expectRefused(x, x.forge.token({ header: { kid } }), reason);
      // The classic: point kid at an empty file and sign HS256 with an empty secret.
      const hs = x.forge.signedWith('HS256', Buffer.alloc(0), { header: { kid, alg: 'HS256' } });
      await expectRefused(x, hs, 'algorithm not allowed');
    });
  });

  describe('claims and type', () => {
    it.each<[string, Forgery, string]>([
      [
        'an expired token',
        (x) => ({ claims: { exp: nowSeconds() - x.skew - 5 } }),
        'token expired',
      ],
      [
        'nbf beyond the skew',
        (x) => ({ claims: { nbf: nowSeconds() + x.skew + 60 } }),
        'token not yet valid',
      ],
      [
        'iat beyond the skew',
        (x) => ({ claims: { iat: nowSeconds() + x.skew + 60 } }),
        'issued in the future',
      ],
      ['a wrong iss', () => ({ claims: { iss: 'https://evil.example' } }), 'wrong issuer'],
      ['a wrong aud', () => ({ claims: { aud: 'another-api' } }), 'wrong audience'],
      ['typ JWT', () => ({ header: { typ: 'JWT' } }), 'wrong token type'],
      ['a missing typ', () => ({ header: { typ: undefined } }), 'wrong token type'],
      ['typ ws-ticket+jwt', () => ({ header: { typ: 'ws-ticket+jwt' } }), 'wrong token type'],
      ['a missing exp', () => ({ claims: { exp: undefined } }), 'missing or malformed exp'],
      ['a missing jti', () => ({ claims: { jti: undefined } }), 'missing or malformed jti'],
      ['a missing sid', () => ({ claims: { sid: undefined } }), 'missing or malformed sid'],
      [
        'an unknown sid',
        () => ({ claims: { sid: '01900000-0000-7000-8000-000000000000' } }),
        'session ended',
      ],
    ])('refuses %s under our own signature', async (_name, changes, reason) => {
      const x = target();
      await expectRefused(x, x.forge.token(changes(x)), reason);
    });
  });

  describe('shape and size', () => {
    it.each<[string, Attack]>([
      ['garbage', () => 'garbage'],
      ['a.b.c', () => 'a.b.c'],
      ['three dots', () => '...'],
      ['a refresh token', (x) => x.tokens.refresh_token],
      // jws reads the header as latin1, we would read UTF-8: no byte above ASCII gets a vote.
      ['a non-ASCII header', (x) => x.forge.token({ header: { kid: `${x.key.kid}\u00e9` } })],
      [
        'a 12 KB token under our own signature',
        (x) => x.forge.token({ claims: { pad: 'x'.repeat(9000) } }),
      ],
    ])('refuses %s as a bearer token', async (_name, attack) => {
      await expectRefused(target(), attack(target()), 'malformed token');
    });

    it('refuses a 100 KB token before the app reads it (431, never 200 or 5xx)', async () => {
      const x = target();
      const response = await me(x, x.forge.token({ claims: { pad: 'x'.repeat(100 * 1024) } }));
      // Node's 16 KB header limit answers first; anything under it meets our 8 KB cap (above).
      expect(response.status).toBe(431);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.body).toEqual(
        expect.objectContaining({ status: 431, title: 'Request Header Fields Too Large' }),
      );
    });
  });
});

describe('psychic signatures against a real ES256 key (CVE-2022-21449)', () => {
  const target = useTarget('ES256');
  /** The order n of P-256: r or s equal to it is out of range, like 0. */
  const N = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');
  const ZERO = Buffer.alloc(32);

  it.each<[string, (r: Buffer, s: Buffer) => Buffer]>([
    ['r = s = 0', () => Buffer.concat([ZERO, ZERO])],
    ['r = s = n', () => Buffer.concat([N, N])],
    ['r = n', (_r, s) => Buffer.concat([N, s])],
    ['s = n', (r) => Buffer.concat([r, N])],
    ['r = 0', (_r, s) => Buffer.concat([ZERO, s])],
    ['s = 0', (r) => Buffer.concat([r, ZERO])],
  ])(
    'refuses %s before any verification, and accepts the real signature',
    async (_name, psychic) => {
      const x = target();
      const input = x.forge.input();
      const real = joseSign('ES256', x.key.privateKey, input);
      const forged = psychic(real.subarray(0, 32), real.subarray(32));
      await expectRefused(x, `${input}.${b64url(forged)}`, 'malformed signature');
      expect((await me(x, `${input}.${b64url(real)}`)).status).toBe(200);
    },
  );

  it('refuses a valid signature in DER instead of JOSE form', async () => {
    const x = target();
    const input = x.forge.input();
    const der = sign('sha256', Buffer.from(input), x.key.privateKey);
    await expectRefused(x, `${input}.${b64url(der)}`, 'malformed signature');
  });
});
