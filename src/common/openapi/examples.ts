import { createHash } from 'node:crypto';

/**
 * Sample values for the OpenAPI document, one consistent story: user Ada signs in at
 * 2026-11-30T09:15:00Z on session SESSION_ID. Ids are UUIDv7 whose time matches the story, the
 * tokens have the real shapes (decode the access token's header and claims and they read like
 * ours), so Swagger UI shows what a client really gets.
 */
export const EXAMPLE_ISSUER = 'https://auth.example.com';
export const EXAMPLE_USER_ID = '01a19c92-d627-7ad8-8823-5841ea38cdb5';
export const EXAMPLE_ADMIN_ID = '01a12f20-3da0-7e84-a6a1-d87a7b2efa0f';
export const EXAMPLE_SESSION_ID = '01a22bbc-7220-7764-bf69-a8a0d50fc3cf';
export const EXAMPLE_OTHER_SESSION_ID = '01a21e50-a373-702d-a9fd-ef890c92cb15';
export const EXAMPLE_REQUEST_ID = '1f6d16e3-04d6-410b-ba73-5018f47d79eb';
/** The RFC 7638 thumbprint of EXAMPLE_RSA_MODULUS's key, as our kids are. */
export const EXAMPLE_KID = 'Jj_kn3Kd4yosiLuYAUZTle84GTQ7k3guK2BFHLt_hfI';
export const EXAMPLE_JTI = 'WINZNdh_Wz0bQT17aZGScg';
export const EXAMPLE_EMAIL = 'ada@example.com';
export const EXAMPLE_USERNAME = 'ada_lovelace';
export const EXAMPLE_PASSWORD = 'correct horse battery staple';
export const EXAMPLE_NEW_PASSWORD = 'Analytical-Engine-1843';
export const EXAMPLE_USER_AGENT =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15';
export const EXAMPLE_IP = '203.0.113.42';
/** A page cursor of GET /users: the last id of the previous page, base64url. */
export const EXAMPLE_USERS_CURSOR = Buffer.from(EXAMPLE_USER_ID).toString('base64url');

/** 2026-11-30T09:15:00Z, the login of the story. */
export const EXAMPLE_IAT = 1796030100;
export const EXAMPLE_ACCESS_TTL = 900;
export const EXAMPLE_REFRESH_TTL = 604800;
export const EXAMPLE_SCOPE = 'profile';

export const isoTime = (epochSeconds: number): string =>
  new Date(epochSeconds * 1000).toISOString();

/**
 * A compact JWS of the given header and claims, as our signer lays it out. The signature is 256
 * bytes (an RS256 signature's size) derived from the content, so the sample is stable; it does
 * not verify, which no sample should.
 */
function sampleJws(header: object, claims: object): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part(header)}.${part(claims)}`;
  const signature = Buffer.concat(
    [0, 1, 2, 3].map((i) => createHash('sha512').update(`${i}:${input}`).digest()),
  );
  return `${input}.${signature.toString('base64url')}`;
}

export const EXAMPLE_ACCESS_TOKEN = sampleJws(
  { alg: 'RS256', typ: 'at+jwt', kid: EXAMPLE_KID },
  {
    iss: EXAMPLE_ISSUER,
    sub: EXAMPLE_USER_ID,
    aud: 'tessera-api',
    client_id: 'tessera',
    iat: EXAMPLE_IAT,
    nbf: EXAMPLE_IAT,
    exp: EXAMPLE_IAT + EXAMPLE_ACCESS_TTL,
    jti: EXAMPLE_JTI,
    sid: EXAMPLE_SESSION_ID,
    roles: ['user'],
    scope: EXAMPLE_SCOPE,
  },
);

export const EXAMPLE_WS_TICKET = sampleJws(
  { alg: 'RS256', typ: 'ws-ticket+jwt', kid: EXAMPLE_KID },
  {
    iss: EXAMPLE_ISSUER,
    aud: `${EXAMPLE_ISSUER}/ws`,
    sub: EXAMPLE_USER_ID,
    sid: EXAMPLE_SESSION_ID,
    jti: 'vTb-DooCyXoNImD7HRFAdA',
    iat: EXAMPLE_IAT + 5,
    exp: EXAMPLE_IAT + 65,
  },
);

export const EXAMPLE_MFA_TOKEN = sampleJws(
  { alg: 'RS256', typ: 'mfa+jwt', kid: EXAMPLE_KID },
  {
    iss: EXAMPLE_ISSUER,
    aud: `${EXAMPLE_ISSUER}/mfa`,
    sub: EXAMPLE_USER_ID,
    jti: 'q8Xb2LwY0cM3nT5vRk9aZg',
    iat: EXAMPLE_IAT - 20,
    exp: EXAMPLE_IAT + 280,
    gen: 3,
  },
);
/** A DPoP proof of a login (RFC 9449): the client's own ES256 key in the `jwk` header. */
export const EXAMPLE_DPOP_PROOF = sampleJws(
  {
    typ: 'dpop+jwt',
    alg: 'ES256',
    jwk: {
      kty: 'EC',
      crv: 'P-256',
      x: 'l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs',
      y: '9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA',
    },
  },
  {
    jti: 'e1j3V_bKic8-LAEB',
    htm: 'POST',
    htu: `${EXAMPLE_ISSUER}/auth/login`,
    iat: EXAMPLE_IAT,
  },
);
/** A base32 TOTP secret (160 bits), as an enrolment returns it. */
export const EXAMPLE_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
export const EXAMPLE_TOTP_CODE = '492039';
export const EXAMPLE_RECOVERY_CODE = '7K3Q-M9XD-2HWP-R4TB';

/** `<userId>_<sessionId>.<256-bit secret>` (src/tokens/refresh-token.ts). */
export const EXAMPLE_REFRESH_TOKEN = `${EXAMPLE_USER_ID}_${EXAMPLE_SESSION_ID}.2HAHxjXnvUrtlZxxEPS46lr52uUIQWJ1weZOjiSALa4`;

/** The modulus of a 2048-bit RSA public key (`n` of the sample JWK). */
export const EXAMPLE_RSA_MODULUS =
  '4ViLvrHqssLbpYMMzDSES3-YMF47nvE5WEYW0BfSg1tEhxe-zNE3NL27HyDmYzfVByXnlGn3RYZYctOh2wO40wBs47xYQ7jb7DbgV6SdeOb1LLTxh1-dDzTpw5QpMOovUMfEm2zkkfsGj9MSdwv3oT6dLJ9KOYe7cgtVnHTHXi7qyLsTTWxU06PvO-IBI1NJAqAYKA66Ez67FVR7fDYeZhC-_CVjc6PAdjwZVWryrdsIJyjvcUUy9YZyq6Hqr0bS3oko9GI8PkrNyb-umCDieOWGJB7ofAPZ5p6TOU4wO188PW27WvyWuyALY0L-XhcwnqC5jglvDucNqasR7B0vDw';
