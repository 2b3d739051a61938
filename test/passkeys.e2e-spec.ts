import { calculateJwkThumbprint, exportJWK, SignJWT } from 'jose';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { totpCode } from '../src/auth/mfa/totp';
import { aUser, credentials, UserInput } from './factories/user.factory';
import { expectProblem } from './support/expectations';
import { Http, HttpResponse } from './support/http';
import {
  Cbor,
  Ceremony,
  Making,
  rsaCoseKey,
  SoftwareAuthenticator,
} from './support/software-authenticator';
import { TestApp, useTestApp, useTwoInstances } from './support/test-app';

/**
 * Passkeys over HTTP with a software authenticator that can lie where a browser never would:
 * every refusal of a sign-in (wrong origin or RP ID, a replayed or foreign challenge, an unknown
 * or forged credential, no user verification, a counter going back) is the one 401, and none
 * starts a session; registration refuses alike. Then passkeys as a second factor.
 */
const ORIGIN = 'http://localhost:3000';
const HONEST: Ceremony = { origin: ORIGIN, rpId: 'localhost' };
const ADMIN = aUser({ email: 'passkey-http-admin@example.com', username: 'passkey-http-admin' });
const INVALID_PASSKEY = 'https://tessera.dev/problems/invalid-passkey';

const app = useTestApp({
  WEBAUTHN_RP_ID: 'localhost',
  WEBAUTHN_ORIGINS: ORIGIN,
  MFA_REQUIRED_ROLES: 'admin',
  BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
  BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
  BOOTSTRAP_ADMIN_USERNAME: ADMIN.username,
});
let http: Http;
let adminToken: string;
let adminRefresh: string;
let adminPasskeyId: string;

const claims = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;

async function signedIn(user: UserInput): Promise<string> {
  const response = await http.post('/auth/login', {
    username: user.username,
    password: user.password,
  });
  expect(response.status).toBe(200);
  return response.body.access_token as string;
}

/** Options for a registration by the user of `token`, on `on`. */
async function registrationOptionsOn(on: Http, user: UserInput, token: string) {
  const options = await on.post('/auth/passkeys/options', { password: user.password }, { token });
  expect(options.status).toBe(200);
  return options.body;
}

/** Registers a passkey of `authenticator` for the user signed in with `token`. */
async function registered(
  token: string,
  user: UserInput,
  authenticator = new SoftwareAuthenticator(),
): Promise<{ authenticator: SoftwareAuthenticator; passkey: HttpResponse }> {
  const credential = authenticator.register(await registrationOptionsOn(http, user, token), HONEST);
  const passkey = await http.post('/auth/passkeys', { name: 'Software', credential }, { token });
  return { authenticator, passkey };
}

async function loginOptions(): Promise<{ challenge: string }> {
  const options = await http.post('/auth/login/passkey/options');
  expect(options.status).toBe(200);
  return options.body;
}

async function passkeyLogin(authenticator: SoftwareAuthenticator, ceremony = HONEST) {
  const credential = authenticator.authenticate(await loginOptions(), ceremony);
  return http.post('/auth/login/passkey', { credential });
}

function expectRefused(response: HttpResponse): void {
  expectProblem(response, 401);
  expect(response.body).toEqual(
    expect.objectContaining({
      type: INVALID_PASSKEY,
      detail: 'The passkey could not sign you in; ask for new options and try again.',
    }),
  );
  expect(response.headers.get('set-cookie')).toBeNull();
}

async function audit(event: string, userId?: string): Promise<any[]> {
  const query = `/admin/audit?event=${event}${userId ? `&userId=${userId}` : ''}`;
  const response = await http.get(query, { token: adminToken });
  expect(response.status).toBe(200);
  return response.body.items;
}

beforeAll(async () => {
  http = app().http;
  // The admin's role requires a second factor: the password gives an enrolment-only session,
  // which may register a passkey (and then ends); the passkey signs in with every right.
  const enrolOnly = await signedIn(ADMIN);
  expect(claims(enrolOnly).scope).toBe('mfa:enrol');
  const { authenticator, passkey } = await registered(enrolOnly, ADMIN);
  expect(passkey.status).toBe(201);
  expect((await http.get('/auth/passkeys', { token: enrolOnly })).status).toBe(401);
  const signIn = await passkeyLogin(authenticator);
  expect(signIn.status).toBe(200);
  adminToken = signIn.body.access_token;
  adminRefresh = signIn.body.refresh_token;
  adminPasskeyId = passkey.body.id;
  expect(String(claims(adminToken).scope).split(' ')).toContain('audit:read');
});

describe('passkeys as a second factor', () => {
  it('answers the password of an MFA_REQUIRED_ROLES user with a passkey: 403 mfa-required, methods passkey, no mfa_token', async () => {
    const response = await http.post('/auth/login', credentials(ADMIN));
    expectProblem(response, 403);
    expect(response.body).toEqual(
      expect.objectContaining({
        type: 'https://tessera.dev/problems/mfa-required',
        methods: ['passkey'],
      }),
    );
    expect(response.body.mfa_token).toBeUndefined();
  });

  it('keeps a passkey session of an MFA_REQUIRED_ROLES user full across a refresh', async () => {
    const refreshed = await http.post('/auth/refresh', { refresh_token: adminRefresh });
    expect(refreshed.status).toBe(200);
    expect(String(refreshed.body.scope).split(' ')).toContain('audit:read');
    adminToken = refreshed.body.access_token;
    adminRefresh = refreshed.body.refresh_token;
  });

  it("refuses to remove an MFA_REQUIRED_ROLES user's last factor (403), as TOTP cannot be turned off", async () => {
    const response = await http.delete(`/auth/passkeys/${adminPasskeyId}`, { token: adminToken });
    expectProblem(response, 403);
    expect(response.body.type).toBe('https://tessera.dev/problems/forbidden');
    expect((await http.get('/auth/passkeys', { token: adminToken })).body).toHaveLength(1);
  });

  it("ends the user's other sessions at a registration: an enrolment-only one left elsewhere enrols nothing", async () => {
    const second = aUser();
    const created = await http.post(
      '/users',
      { ...second, roles: ['admin'] },
      { token: adminToken },
    );
    expect(created.status).toBe(201);
    // Someone else signed in with the password first: an enrolment-only session of their own.
    const other = await http.post('/auth/login', credentials(second));
    expect(other.body.scope).toBe('mfa:enrol');
    const mine = await signedIn(second);
    expect((await registered(mine, second)).passkey.status).toBe(201);
    expect((await http.get('/auth/mfa', { token: other.body.access_token })).status).toBe(401);
    const refreshed = await http.post('/auth/refresh', { refresh_token: other.body.refresh_token });
    expect(refreshed.status).toBe(401);
  });

  it("keeps one of a required user's passkeys when two are removed at once", async () => {
    const second = await registered(adminToken, ADMIN);
    expect(second.passkey.status).toBe(201);
    const ids = [adminPasskeyId, second.passkey.body.id as string];
    const answers = await Promise.all(
      ids.map((id) => http.delete(`/auth/passkeys/${id}`, { token: adminToken })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([204, 403]);
    const left = (await http.get('/auth/passkeys', { token: adminToken })).body as { id: string }[];
    expect(left).toHaveLength(1);
    adminPasskeyId = left[0].id;
  });

  it('signs a user with TOTP on in with a passkey, no code asked, amr hwk user mfa', async () => {
    const user = aUser();
    expect((await http.post('/auth/register', user)).status).toBe(201);
    const token = await signedIn(user);
    const { authenticator } = await registered(token, user);
    const start = await http.post('/auth/mfa/totp', undefined, { token });
    const code = totpCode(start.body.secret, Date.now());
    const confirm = await http.post(
      '/auth/mfa/totp/confirm',
      { password: user.password, code },
      { token },
    );
    expect(confirm.status).toBe(200);
    expect((await http.post('/auth/login', credentials(user))).status).toBe(403); // the password wants a code
    const response = await passkeyLogin(authenticator);
    expect(response.status).toBe(200);
    expect(claims(response.body.access_token)).toEqual(
      expect.objectContaining({ amr: ['hwk', 'user', 'mfa'], scope: 'profile' }),
    );
    expect((await http.get('/auth/me', { token: response.body.access_token })).status).toBe(200);
  });
});

describe('registering', () => {
  let user: UserInput;
  let token: string;
  beforeAll(async () => {
    user = aUser();
    expect((await http.post('/auth/register', user)).status).toBe(201);
    token = await signedIn(user);
  });

  it('needs the password: a wrong one is 401 wrong-password, and no challenge is kept', async () => {
    const options = await http.post(
      '/auth/passkeys/options',
      { password: 'not-the-password' },
      { token },
    );
    expectProblem(options, 401);
    expect(options.body.type).toBe('https://tessera.dev/problems/wrong-password');
    const credential = new SoftwareAuthenticator().register(
      { challenge: 'bm90LWEtY2hhbGxlbmdl', user: { id: 'dXNlcg' } },
      HONEST,
    );
    const passkey = await http.post('/auth/passkeys', { credential }, { token });
    expectProblem(passkey, 400);
    expect(passkey.body.type).toBe('https://tessera.dev/problems/invalid-passkey-registration');
  });

  it.each([
    ['another origin', { ...HONEST, origin: 'https://evil.example' }],
    ['another RP ID', { ...HONEST, rpId: 'evil.example' }],
    ['no user verification', { ...HONEST, userVerified: false }],
  ])('refuses a credential made for %s, and the challenge is used up', async (_, ceremony) => {
    const options = await http.post(
      '/auth/passkeys/options',
      { password: user.password },
      { token },
    );
    const authenticator = new SoftwareAuthenticator();
    const bad = await http.post(
      '/auth/passkeys',
      { credential: authenticator.register(options.body, ceremony) },
      { token },
    );
    expectProblem(bad, 400);
    expect(bad.body.type).toBe('https://tessera.dev/problems/invalid-passkey-registration');
    const honest = authenticator.register(options.body, HONEST);
    expectProblem(await http.post('/auth/passkeys', { credential: honest }, { token }), 400);
    expect((await http.get('/auth/passkeys', { token })).body).toEqual([]);
  });

  it('excludes the authenticators the user has, and refuses the same credential twice (409)', async () => {
    const { authenticator, passkey } = await registered(token, user);
    expect(passkey.status).toBe(201);
    const options = await http.post(
      '/auth/passkeys/options',
      { password: user.password },
      { token },
    );
    const credentialId = Buffer.from(authenticator.credentialId).toString('base64url');
    expect(options.body.excludeCredentials).toEqual([
      expect.objectContaining({ id: credentialId }),
    ]);
    expect(options.body.authenticatorSelection).toEqual(
      expect.objectContaining({ residentKey: 'required', userVerification: 'required' }),
    );
    const again = authenticator.register(options.body, HONEST);
    const twice = await http.post('/auth/passkeys', { credential: again }, { token });
    expectProblem(twice, 409);
    expect(twice.body.type).toBe('https://tessera.dev/problems/passkey-already-registered');
  });

  it('refuses a credential another account holds (409), until that account removes it', async () => {
    const { authenticator, passkey } = await registered(token, user);
    expect(passkey.status).toBe(201);
    const other = aUser();
    expect((await http.post('/auth/register', other)).status).toBe(201);
    const otherToken = await signedIn(other);
    const taken = await registered(otherToken, other, authenticator);
    expectProblem(taken.passkey, 409);
    expect(taken.passkey.body).toEqual(
      expect.objectContaining({
        type: 'https://tessera.dev/problems/passkey-already-registered',
        detail: 'This passkey is registered already.',
      }),
    );
    expect((await http.get('/auth/passkeys', { token: otherToken })).body).toEqual([]);
    expect((await http.delete(`/auth/passkeys/${passkey.body.id}`, { token })).status).toBe(204);
    expect((await registered(otherToken, other, authenticator)).passkey.status).toBe(201);
  });

  /** A new user signed in twice: two sessions, as on two devices. */
  async function twoSessions(): Promise<{ fresh: UserInput; a: string; b: string }> {
    const fresh = aUser();
    expect((await http.post('/auth/register', fresh)).status).toBe(201);
    return { fresh, a: await signedIn(fresh), b: await signedIn(fresh) };
  }

  it('keeps a registration challenge per session: options asked by another session do not replace it', async () => {
    const { fresh, a, b } = await twoSessions();
    const ofA = await registrationOptionsOn(http, fresh, a);
    const ofB = await registrationOptionsOn(http, fresh, b);
    expect(ofB.challenge).not.toBe(ofA.challenge);
    const credential = new SoftwareAuthenticator().register(ofA, HONEST);
    expect((await http.post('/auth/passkeys', { credential }, { token: a })).status).toBe(201);
    // B's challenge was kept, but a registration ends the user's other sessions (as TOTP does).
    const late = new SoftwareAuthenticator().register(ofB, HONEST);
    expectProblem(await http.post('/auth/passkeys', { credential: late }, { token: b }), 401);
  });

  it('refuses to finish from one session with the challenge another session asked for (400), and leaves it to that session', async () => {
    const { fresh, a, b } = await twoSessions();
    const authenticator = new SoftwareAuthenticator();
    const credential = authenticator.register(await registrationOptionsOn(http, fresh, a), HONEST);
    const foreign = await http.post('/auth/passkeys', { credential }, { token: b });
    expectProblem(foreign, 400);
    expect(foreign.body.type).toBe('https://tessera.dev/problems/invalid-passkey-registration');
    expect((await http.get('/auth/passkeys', { token: b })).body).toEqual([]);
    // B now asks for options of its own: still not A's challenge, which A then uses.
    await registrationOptionsOn(http, fresh, b);
    expectProblem(await http.post('/auth/passkeys', { credential }, { token: b }), 400);
    expect((await http.post('/auth/passkeys', { credential }, { token: a })).status).toBe(201);
  });

  it("removes only the caller's own passkeys: another user's id is 404, like an unknown one", async () => {
    const other = aUser();
    expect((await http.post('/auth/register', other)).status).toBe(201);
    const otherToken = await signedIn(other);
    const { passkey } = await registered(otherToken, other);
    const id = passkey.body.id as string;
    expectProblem(await http.delete(`/auth/passkeys/${id}`, { token }), 404);
    expect((await http.get('/auth/passkeys', { token: otherToken })).body).toHaveLength(1);
    expect((await http.delete(`/auth/passkeys/${id}`, { token: otherToken })).status).toBe(204);
    expectProblem(await http.delete(`/auth/passkeys/${id}`, { token: otherToken }), 404);
  });
});

describe('signing in: every refusal is the one 401', () => {
  let user: UserInput;
  let authenticator: SoftwareAuthenticator;
  beforeAll(async () => {
    user = aUser();
    expect((await http.post('/auth/register', user)).status).toBe(201);
    ({ authenticator } = await registered(await signedIn(user), user));
  });

  it.each([
    ['another origin', { ...HONEST, origin: 'https://evil.example' }],
    ['another RP ID', { ...HONEST, rpId: 'evil.example' }],
    ['no user verification', { ...HONEST, userVerified: false }],
    ['a signature by another key', { ...HONEST, forge: true }],
  ])('refuses an assertion with %s', async (_, ceremony) => {
    expectRefused(await passkeyLogin(authenticator, ceremony));
  });

  it('refuses a replayed assertion: its challenge worked once', async () => {
    const credential = authenticator.authenticate(await loginOptions(), HONEST);
    expect((await http.post('/auth/login/passkey', { credential })).status).toBe(200);
    expectRefused(await http.post('/auth/login/passkey', { credential }));
  });

  it('refuses a challenge that is not ours', async () => {
    const credential = authenticator.authenticate({ challenge: 'bm90LW91cnMtYXQtYWxs' }, HONEST);
    expectRefused(await http.post('/auth/login/passkey', { credential }));
  });

  it('refuses an unknown credential, and one naming an account that never registered it, alike', async () => {
    const stranger = new SoftwareAuthenticator();
    stranger.claimUser('01a19c92-d627-7ad8-8823-5841ea38cdb5'); // no such user
    expectRefused(await passkeyLogin(stranger));
    const other = aUser();
    const created = await http.post('/auth/register', other);
    stranger.claimUser(created.body.id as string); // a real user, who has no passkey
    expectRefused(await passkeyLogin(stranger));
  });

  it('refuses and audits a counter that goes back (a cloned key), then takes the next one', async () => {
    const forward = await passkeyLogin(authenticator, { ...HONEST, counter: 50 });
    expect(forward.status).toBe(200);
    const userId = claims(forward.body.access_token).sub as string;
    expectRefused(await passkeyLogin(authenticator, { ...HONEST, counter: 50 }));
    expectRefused(await passkeyLogin(authenticator, { ...HONEST, counter: 7 }));
    const regressed = await audit('PASSKEY_COUNTER_REGRESSED', userId);
    expect(regressed.map((e) => e.details.counter)).toEqual([7, 50]);
    expect(regressed[0].severity).toBe('critical');
    expect((await passkeyLogin(authenticator, { ...HONEST, counter: 51 })).status).toBe(200);
  });

  it('audits refusals as LOGIN_FAILED with method passkey and the reason', async () => {
    const failed = await audit('LOGIN_FAILED');
    const passkeyFailures = failed.filter((e) => e.details.method === 'passkey');
    const reasons = passkeyFailures.map((e) => String(e.details.reason));
    expect(reasons).toEqual(
      expect.arrayContaining([
        'unknown, used or expired challenge',
        'unknown passkey',
        expect.stringMatching(/origin/),
        expect.stringMatching(/RP ID/),
        expect.stringMatching(/[Uu]ser verification/),
      ]),
    );
  });

  it('binds the session to a DPoP key when the sign-in carries a proof (RFC 9449), as a login does', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = await exportJWK(publicKey);
    const proof = await new SignJWT({
      jti: randomBytes(12).toString('base64url'),
      htm: 'POST',
      htu: 'http://localhost:3000/auth/login/passkey', // JWT_ISSUER of the test environment
      iat: Math.floor(Date.now() / 1000),
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
      .sign(privateKey);
    const credential = authenticator.authenticate(await loginOptions(), HONEST);
    const response = await http.post(
      '/auth/login/passkey',
      { credential },
      { headers: { dpop: proof } },
    );
    expect(response.status).toBe(200);
    expect(response.body.token_type).toBe('DPoP');
    expect(claims(response.body.access_token).cnf).toEqual({
      jkt: await calculateJwkThumbprint(jwk, 'sha256'),
    });
    const bearer = await http.get('/auth/me', { token: response.body.access_token });
    expect(bearer.status).toBe(401);
  });

  it('audits a passkey sign-in as LOGIN_SUCCESS with method and passkey id', async () => {
    const response = await passkeyLogin(authenticator);
    expect(response.status).toBe(200);
    const userId = claims(response.body.access_token).sub as string;
    const [latest] = await audit('LOGIN_SUCCESS', userId);
    expect(latest.details).toEqual(
      expect.objectContaining({ method: 'passkey', sessionId: response.body.session_id }),
    );
    expect(response.headers.get('cache-control')).toBe('no-store');
  });
});

describe('on two instances at once', () => {
  const apps = useTwoInstances({
    WEBAUTHN_RP_ID: 'localhost',
    WEBAUTHN_ORIGINS: ORIGIN,
    TRUST_PROXY: 'true',
  });
  /** Each try from an address of its own (TRUST_PROXY): the per-IP throttle stays out of it. */
  let nextAddress = 1;
  const own = () => ({
    headers: { 'x-forwarded-for': `10.78.${nextAddress >> 8}.${nextAddress++ & 255}` },
  });

  it('accepts one assertion exactly once of 50 concurrent tries, and one of 50 counters', async () => {
    const [a, b] = apps;
    const user = aUser();
    expect((await a.http.post('/auth/register', user)).status).toBe(201);
    const login = await b.http.post('/auth/login', credentials(user));
    const token = login.body.access_token as string;
    const options = await a.http.post(
      '/auth/passkeys/options',
      { password: user.password },
      { token },
    );
    const authenticator = new SoftwareAuthenticator();
    const credential = authenticator.register(options.body, HONEST);
    expect((await b.http.post('/auth/passkeys', { credential }, { token })).status).toBe(201);
    for (let round = 0; round < 2; round += 1) {
      // Round 0: one assertion replayed 50 times (one challenge). Round 1: 50 assertions, each
      // with its own challenge, all reporting the same counter (clones racing).
      const counter = 10 + round;
      const shared = authenticator.authenticate(
        (await a.http.post('/auth/login/passkey/options', undefined, own())).body,
        { ...HONEST, counter },
      );
      const tries = await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const target = i % 2 ? a : b;
          const assertion =
            round === 0
              ? shared
              : authenticator.authenticate(
                  (await target.http.post('/auth/login/passkey/options', undefined, own())).body,
                  { ...HONEST, counter },
                );
          const body = { credential: assertion };
          return (await target.http.post('/auth/login/passkey', body, own())).status;
        }),
      );
      expect(tries.filter((status) => status === 200)).toHaveLength(1);
      expect(tries.filter((status) => status !== 200 && status !== 401)).toEqual([]);
    }
  }, 30_000);

  it('registers a credential for one of two accounts racing for it on two instances', async () => {
    const [a, b] = apps;
    const users = [aUser(), aUser()];
    const tokens = await Promise.all(
      users.map(async (user) => {
        expect((await a.http.post('/auth/register', user)).status).toBe(201);
        return (await b.http.post('/auth/login', credentials(user))).body.access_token as string;
      }),
    );
    const authenticator = new SoftwareAuthenticator();
    const made = await Promise.all(
      users.map(async (user, i) => {
        const options = await a.http.post(
          '/auth/passkeys/options',
          { password: user.password },
          { token: tokens[i] },
        );
        return authenticator.register(options.body, HONEST);
      }),
    );
    const answers = await Promise.all(
      made.map((credential, i) =>
        (i ? a : b).http.post('/auth/passkeys', { credential }, { token: tokens[i] }),
      ),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409]);
  });
});

describe('PASSKEYS=false', () => {
  const off = useTestApp({ PASSKEYS: 'false' });
  it('answers 404 on every passkey route and serves no demo page', async () => {
    const { http: h }: TestApp = off();
    expectProblem(await h.post('/auth/login/passkey/options'), 404);
    expectProblem(await h.get('/passkeys/demo'), 404);
    const user = aUser();
    await h.post('/auth/register', user);
    const login = await h.post('/auth/login', credentials(user));
    const token = login.body.access_token as string;
    expectProblem(await h.get('/auth/passkeys', { token }), 404);
    expectProblem(
      await h.post('/auth/passkeys/options', { password: user.password }, { token }),
      404,
    );
  });
});

describe.each(['redis', 'memory'] as const)('review findings on the %s store', (driver) => {
  const admin = aUser();
  const t = useTestApp({
    WEBAUTHN_RP_ID: 'localhost',
    WEBAUTHN_ORIGINS: ORIGIN,
    BOOTSTRAP_ADMIN_EMAIL: admin.email,
    BOOTSTRAP_ADMIN_PASSWORD: admin.password,
    BOOTSTRAP_ADMIN_USERNAME: admin.username,
    ...(driver === 'memory' ? { REDIS_URL: '' } : {}),
  });
  const h = () => t().http;

  /** A new user, signed in with the password: the token. */
  async function aSignedInUser(user = aUser()): Promise<string> {
    expect((await h().post('/auth/register', user)).status).toBe(201);
    const login = await h().post('/auth/login', credentials(user));
    expect(login.status).toBe(200);
    return login.body.access_token as string;
  }

  async function events(event: string, userId: string): Promise<any[]> {
    const login = await h().post('/auth/login', credentials(admin));
    const token = login.body.access_token as string;
    const response = await h().get(
      `/admin/audit?event=${event}${userId ? `&userId=${userId}` : ''}`,
      { token },
    );
    expect(response.status).toBe(200);
    return response.body.items;
  }

  it('audits a counter regression with the counter stored when it was compared, also in a race', async () => {
    const user = aUser();
    const token = await aSignedInUser(user);
    const options = await h().post(
      '/auth/passkeys/options',
      { password: user.password },
      { token },
    );
    const authenticator = new SoftwareAuthenticator();
    const credential = authenticator.register(options.body, HONEST);
    expect((await h().post('/auth/passkeys', { credential }, { token })).status).toBe(201);
    const userId = claims(token).sub as string;
    // Each sign-in with a challenge of its own and a counter of its own, all at once: the losers
    // lose against a counter a concurrent winner stored, not the one read before they verified.
    // Counters out of order (100, 129, 101, 128, …), so some arrive after a higher one won.
    const counters = Array.from({ length: 30 }, (_, i) =>
      i % 2 ? 129 - (i >> 1) : 100 + (i >> 1),
    );
    const assertions = [];
    for (const counter of counters) {
      const challenge = (await h().post('/auth/login/passkey/options')).body;
      assertions.push(authenticator.authenticate(challenge, { ...HONEST, counter }));
    }
    const statuses = await Promise.all(
      assertions.map(async (assertion) => {
        return (await h().post('/auth/login/passkey', { credential: assertion })).status;
      }),
    );
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
    const regressed = await events('PASSKEY_COUNTER_REGRESSED', userId);
    expect(regressed.length).toBe(statuses.filter((s) => s === 401).length);
    const wrong = regressed.filter((e) => !(e.details.counter <= e.details.stored));
    expect(wrong).toEqual([]);
    // And one after the race, in order: the stored counter is the highest that won.
    const last = authenticator.authenticate((await h().post('/auth/login/passkey/options')).body, {
      ...HONEST,
      counter: 120,
    });
    expect((await h().post('/auth/login/passkey', { credential: last })).status).toBe(401);
    const [latest] = await events('PASSKEY_COUNTER_REGRESSED', userId);
    expect(latest.details).toEqual(expect.objectContaining({ counter: 120, stored: 129 }));
  });

  async function passkeyLoginOn(authenticator: SoftwareAuthenticator) {
    const options = (await h().post('/auth/login/passkey/options')).body;
    return h().post('/auth/login/passkey', {
      credential: authenticator.authenticate(options, HONEST),
    });
  }

  const registrationOptions = (user: UserInput, token: string) =>
    registrationOptionsOn(h(), user, token);

  it('refuses a credential made in a frame of another origin (crossOrigin): 400, and a sign-in so made: 401', async () => {
    const user = aUser();
    const token = await aSignedInUser(user);
    const authenticator = new SoftwareAuthenticator();
    const framed = authenticator.register(await registrationOptions(user, token), {
      ...HONEST,
      crossOrigin: true,
    });
    const refused = await h().post('/auth/passkeys', { credential: framed }, { token });
    expectProblem(refused, 400);
    expect(refused.body.type).toBe('https://tessera.dev/problems/invalid-passkey-registration');
    expect(refused.body.detail).toMatch(/crossOrigin/);
    expect((await h().get('/auth/passkeys', { token })).body).toEqual([]);
    const honest = authenticator.register(await registrationOptions(user, token), HONEST);
    expect((await h().post('/auth/passkeys', { credential: honest }, { token })).status).toBe(201);
    const options = (await h().post('/auth/login/passkey/options')).body;
    const credential = authenticator.authenticate(options, { ...HONEST, crossOrigin: true });
    const signIn = await h().post('/auth/login/passkey', { credential });
    expectProblem(signIn, 401);
    expect(signIn.body.type).toBe(INVALID_PASSKEY);
    const failures = await events('LOGIN_FAILED', '');
    expect(failures.map((e) => e.details.reason)).toContain('cross-origin');
  });

  it('keeps only known transports, each once, and refuses a list longer than 16 (400)', async () => {
    const user = aUser();
    const token = await aSignedInUser(user);
    const authenticator = new SoftwareAuthenticator();
    const tooMany = authenticator.register(await registrationOptions(user, token), HONEST, {
      transports: Array.from({ length: 17 }, () => 'usb'),
    });
    const refused = await h().post('/auth/passkeys', { credential: tooMany }, { token });
    expectProblem(refused, 400);
    expect(refused.body.type).toBe('https://tessera.dev/problems/validation-failed');
    const transports = ['internal', 'hybrid', 'internal', 'x'.repeat(32), 'carrier-pigeon', 'usb'];
    const credential = authenticator.register(await registrationOptions(user, token), HONEST, {
      transports,
    });
    const created = await h().post('/auth/passkeys', { credential }, { token });
    expect(created.status).toBe(201);
    expect(created.body.transports).toEqual(['internal', 'hybrid', 'usb']);
    const [listed] = (await h().get('/auth/passkeys', { token })).body;
    expect(listed.transports).toEqual(['internal', 'hybrid', 'usb']);
  });

  describe('refuses a credential whose key or id could not serve (400)', () => {
    const modulus = (bits: number) => {
      const n = randomBytes(bits / 8);
      n[0] |= 0x80;
      n[n.length - 1] |= 1;
      return n;
    };
    const F4 = Buffer.from([1, 0, 1]);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({
      format: 'jwk',
    });
    const ec = (crv: number, x: Buffer, y: Buffer, alg = -7) =>
      new Map<Cbor, Cbor>([
        [1, 2],
        [3, alg],
        [-1, crv],
        [-2, x],
        [-3, y],
      ]);
    const b = (s?: string) => Buffer.from(s ?? '', 'base64url');

    it.each<[string, Making, () => SoftwareAuthenticator]>([
      [
        'an EC point off its curve',
        { coseKey: ec(1, randomBytes(32), randomBytes(32)) },
        () => new SoftwareAuthenticator(),
      ],
      [
        'ES256 on the P-384 curve',
        { coseKey: ec(2, b(p384.x), b(p384.y)) },
        () => new SoftwareAuthenticator(),
      ],
      [
        'ES384, not offered',
        { coseKey: ec(2, b(p384.x), b(p384.y), -35) },
        () => new SoftwareAuthenticator(),
      ],
      [
        'a 1024-bit RSA key',
        { coseKey: rsaCoseKey(modulus(1024), F4) },
        () => new SoftwareAuthenticator(),
      ],
      [
        'a 4352-bit RSA key',
        { coseKey: rsaCoseKey(modulus(4352), F4) },
        () => new SoftwareAuthenticator(),
      ],
      [
        'an RSA key of exponent 3',
        { coseKey: rsaCoseKey(modulus(2048), Buffer.from([3])) },
        () => new SoftwareAuthenticator(),
      ],
      [
        'an id other than the attested one',
        { id: randomBytes(16).toString('base64url') },
        () => new SoftwareAuthenticator(),
      ],
      ['an empty credential id', { id: 'AA' }, () => new SoftwareAuthenticator(Buffer.alloc(0))],
      ['a credential id of 1024 bytes', {}, () => new SoftwareAuthenticator(randomBytes(1024))],
    ])('%s', async (_, making, authenticator) => {
      const user = aUser();
      const token = await aSignedInUser(user);
      const options = await registrationOptions(user, token);
      const credential = authenticator().register(options, HONEST, making);
      const refused = await h().post('/auth/passkeys', { credential }, { token });
      expectProblem(refused, 400);
      expect(refused.body.type).toBe('https://tessera.dev/problems/invalid-passkey-registration');
      expect((await h().get('/auth/passkeys', { token })).body).toEqual([]);
    });

    it('takes a 2048-bit RSA key of exponent 65537, and a credential id of 1023 bytes', async () => {
      const user = aUser();
      const token = await aSignedInUser(user);
      const rsa = new SoftwareAuthenticator().register(
        await registrationOptions(user, token),
        HONEST,
        {
          coseKey: rsaCoseKey(modulus(2048), F4),
        },
      );
      expect((await h().post('/auth/passkeys', { credential: rsa }, { token })).status).toBe(201);
      const long = new SoftwareAuthenticator(randomBytes(1023));
      const credential = long.register(await registrationOptions(user, token), HONEST);
      expect((await h().post('/auth/passkeys', { credential }, { token })).status).toBe(201);
      expect((await passkeyLoginOn(long)).status).toBe(200);
    });
  });
});
