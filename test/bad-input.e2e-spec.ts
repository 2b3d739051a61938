import { aUser } from './factories/user.factory';
import { expectProblem } from './support/expectations';
import { Http, HttpResponse } from './support/http';
import { cleanUp, startApp, testEnvironment, TestApp } from './support/test-app';

/*
 * Hostile and broken input against every contract route that takes input. Every answer must be a
 * 4xx problem+json (never a 5xx), the process must stay healthy, and nothing from a rejected
 * request may be stored. For revoke and introspect a token that is not ours (too long, NUL, junk)
 * is a 200 by their RFCs, not bad input: there only the body's shape is.
 */

const ADMIN = { email: 'bad-input-admin@example.com', password: 'admin-password-for-bad-input' };
const MISSING_ID = '0190a4e2-0000-7000-8000-000000000000';
const LONG = 'x'.repeat(10_000);
const TWO_MB = 2 * 1024 * 1024;
const LATIN1_JSON = 'application/json; charset=latin1';
const DEEP = `${'{"a":'.repeat(2999)}{}${'}'.repeat(2999)}`; // 3 000 levels, 18 KB

let t: TestApp;
let http: Http;
let userToken: string;
let adminToken: string;
let targetUserId: string;

interface BodyRoute {
  method: 'POST' | 'PATCH';
  path: () => string;
  token: () => string | undefined;
  valid: () => Record<string, unknown>;
  /** String-valued fields, with how a string is put in (some are arrays of strings). */
  strings: Record<string, (s: string) => unknown>;
  /** Fields whose absence is an error (refresh falls back to the cookie: 401 then). */
  required: string[];
  /** Optional fields where `null` still reads as "absent" (a DTO not yet using IfPresent). */
  nullAsAbsent?: string[];
  /** The answer to a 10 000-character string: 400, but a token of any length is just unusable. */
  longStringStatus?: number;
}

/** PublicKeyCredential JSON of the right shape (what it proves is checked after validation). */
const attestation = () => ({
  id: 'n1fHk-hmrmU3-eJZzT7ViA',
  rawId: 'n1fHk-hmrmU3-eJZzT7ViA',
  type: 'public-key',
  response: {
    clientDataJSON: 'eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIn0',
    attestationObject: 'o2NmbXRkbm9uZQ',
  },
  clientExtensionResults: {},
});
const assertion = () => ({
  id: 'n1fHk-hmrmU3-eJZzT7ViA',
  rawId: 'n1fHk-hmrmU3-eJZzT7ViA',
  type: 'public-key',
  response: {
    clientDataJSON: 'eyJ0eXBlIjoid2ViYXV0aG4uZ2V0In0',
    authenticatorData: 'SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MFAAAABw',
    signature: 'MEUCIQDgXWhg5vYXuHmPX0zTsBiIYfOL7C1D4V5o9sR1WQnq0A',
    userHandle: 'MDFhMTljOTItZDYyNy03YWQ4LTg4MjMtNTg0MWVhMzhjZGI1',
  },
  clientExtensionResults: {},
});

const asIs = (s: string): unknown => s;
const listOf = (s: string): unknown => [s];
const register = (): Record<string, unknown> => ({ ...aUser() });

const BODY_ROUTES: Record<string, BodyRoute> = {
  'POST /auth/register': {
    method: 'POST',
    path: () => '/auth/register',
    token: () => undefined,
    valid: register,
    strings: { email: asIs, username: asIs, password: asIs },
    required: ['email', 'username', 'password'],
  },
  'POST /auth/login': {
    method: 'POST',
    path: () => '/auth/login',
    token: () => undefined,
    valid: () => ({ username: 'nobody-here', password: 'not-the-password', scope: 'profile' }),
    strings: { username: asIs, password: asIs, scope: asIs },
    required: ['username', 'password'],
  },
  'POST /auth/refresh': {
    method: 'POST',
    path: () => '/auth/refresh',
    token: () => undefined,
    valid: () => ({ refresh_token: 'a'.repeat(43) }),
    strings: { refresh_token: asIs },
    required: ['refresh_token'],
    longStringStatus: 401, // invalid_refresh_token, as for any token it cannot use
  },
  'POST /auth/password': {
    method: 'POST',
    path: () => '/auth/password',
    token: () => userToken,
    valid: () => ({ currentPassword: 'wrong-current-pw', newPassword: 'a-brand-new-passphrase' }),
    strings: { currentPassword: asIs, newPassword: asIs },
    required: ['currentPassword', 'newPassword'],
  },
  'POST /users': {
    method: 'POST',
    path: () => '/users',
    token: () => adminToken,
    valid: () => ({ ...register(), roles: ['user'] }),
    strings: { email: asIs, username: asIs, password: asIs, roles: listOf },
    required: ['email', 'username', 'password'],
  },
  'PATCH /users/:id': {
    method: 'PATCH',
    path: () => `/users/${targetUserId}`,
    token: () => adminToken,
    valid: () => ({ roles: ['user'], scopes: ['profile'], active: true }),
    strings: { roles: listOf, scopes: listOf },
    required: [],
  },
  'POST /auth/password/forgot': {
    method: 'POST',
    path: () => '/auth/password/forgot',
    token: () => undefined,
    valid: () => ({ email: 'nobody-here@example.com' }),
    strings: { email: asIs },
    required: ['email'],
  },
  'POST /auth/password/reset': {
    method: 'POST',
    path: () => '/auth/password/reset',
    token: () => undefined,
    valid: () => ({ token: 'not-a-reset-token', newPassword: 'a-brand-new-passphrase' }),
    strings: { token: asIs, newPassword: asIs },
    required: ['token', 'newPassword'],
  },
  'POST /auth/email/verify': {
    method: 'POST',
    path: () => '/auth/email/verify',
    token: () => undefined,
    valid: () => ({ token: 'not-a-verification-token' }),
    strings: { token: asIs },
    required: ['token'],
  },
  'POST /auth/email/verify/resend': {
    method: 'POST',
    path: () => '/auth/email/verify/resend',
    token: () => undefined,
    valid: () => ({ email: 'nobody-here@example.com' }),
    strings: { email: asIs },
    required: ['email'],
  },
  'POST /auth/passkeys/options': {
    method: 'POST',
    path: () => '/auth/passkeys/options',
    token: () => userToken,
    valid: () => ({ password: 'not-the-password' }),
    strings: { password: asIs },
    required: ['password'],
  },
  'POST /auth/passkeys': {
    method: 'POST',
    path: () => '/auth/passkeys',
    token: () => userToken,
    valid: () => ({ name: 'Laptop', credential: attestation() }),
    strings: { name: asIs },
    required: ['credential'],
  },
  'POST /auth/login/passkey': {
    method: 'POST',
    path: () => '/auth/login/passkey',
    token: () => undefined,
    valid: () => ({ credential: assertion(), scope: 'profile' }),
    strings: { scope: asIs },
    required: ['credential'],
  },
  'POST /auth/revoke': {
    method: 'POST',
    path: () => '/auth/revoke',
    token: () => undefined,
    valid: () => ({ token: 'not-a-token-of-ours', token_type_hint: 'access_token' }),
    strings: {},
    required: ['token'],
    nullAsAbsent: ['token_type_hint'], // ignored by the server anyway (RFC 7009 §2.1)
  },
  'POST /auth/introspect': {
    method: 'POST',
    path: () => '/auth/introspect',
    token: () => adminToken,
    valid: () => ({ token: 'not-a-token-of-ours' }),
    strings: {},
    required: ['token'],
  },
};

interface Case {
  name: string;
  send: () => Promise<HttpResponse>;
  /** The exact status, or undefined for "some 4xx". */
  status?: number;
}

function send(route: BodyRoute, body: unknown, headers: Record<string, string> = {}) {
  return http.request(route.method, route.path(), body, { token: route.token(), headers });
}

function sendRaw(route: BodyRoute, raw: string | Buffer, contentType?: string) {
  const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
  return http.request(route.method, route.path(), undefined, {
    token: route.token(),
    raw,
    headers,
  });
}

/** `{"key":…,` spliced in front of a valid body, as raw text: JSON.stringify drops __proto__. */
function withRawKey(valid: Record<string, unknown>, key: string, value: string): string {
  return JSON.stringify(valid).replace(/^\{/, `{"${key}":${value},`);
}

function bodyCases(name: string, r: BodyRoute): Case[] {
  const c = (label: string, send: () => Promise<HttpResponse>, status?: number): Case => ({
    name: `${name}: ${label}`,
    send,
    status,
  });
  const json = 'application/json';
  return [
    c('malformed JSON', () => sendRaw(r, '{"email": "a@b.c",', json), 400),
    c('an empty JSON body', () => sendRaw(r, '', json), 400),
    c('a JSON body in UTF-16', () => sendRaw(r, Buffer.from('{}', 'utf16le'), json), 400),
    ...['[]', '"x"', '1', 'null', 'true'].map((raw) =>
      c(`a body that is not an object: ${raw}`, () => sendRaw(r, raw, json), 400),
    ),
    ...Object.entries(r.valid()).flatMap(([field, value]) =>
      [42, true, {}, [[]], null]
        .filter((wrong) => typeof wrong !== typeof value) // true is no wrong type for a boolean
        .filter((wrong) => wrong !== null || !r.nullAsAbsent?.includes(field))
        .map((wrong) =>
          c(`${field} = ${JSON.stringify(wrong)}`, () => send(r, { ...r.valid(), [field]: wrong })),
        ),
    ),
    ...r.required.map((field) =>
      c(`missing ${field}`, () => send(r, { ...r.valid(), [field]: undefined })),
    ),
    c('an unknown field', () => send(r, { ...r.valid(), isAdmin: true }), 400),
    c('a 2 MB body', () => sendRaw(r, JSON.stringify({ pad: 'x'.repeat(TWO_MB) }), json), 413),
    c('3 000 levels of nesting', () => sendRaw(r, DEEP, json), 400),
    c(
      'a lone surrogate in a key',
      () => sendRaw(r, withRawKey(r.valid(), '\\ud800', '1'), json),
      400,
    ),
    ...Object.entries(r.strings).flatMap(([field, put]) => [
      c(
        `a 10 000-char ${field}`,
        () => send(r, { ...r.valid(), [field]: put(LONG) }),
        r.longStringStatus ?? 400,
      ),
      c(`NUL in ${field}`, () => send(r, { ...r.valid(), [field]: put('ab\u0000cdefghijklmn') })),
      // JSON.stringify sends a lone surrogate as the escape "\ud800".
      c(
        `a lone surrogate in ${field}`,
        () => send(r, { ...r.valid(), [field]: put('ab\ud800cd') }),
        400,
      ),
    ]),
    c('a __proto__ key', () =>
      sendRaw(r, withRawKey(r.valid(), '__proto__', '{"polluted":"yes"}'), json),
    ),
    c('a constructor.prototype key', () =>
      sendRaw(r, withRawKey(r.valid(), 'constructor', '{"prototype":{"polluted":"yes"}}'), json),
    ),
    c('a form-encoded body', () =>
      sendRaw(r, '__proto__[polluted]=yes&a=1', 'application/x-www-form-urlencoded'),
    ),
    c('text/plain', () => sendRaw(r, JSON.stringify(r.valid()), 'text/plain'), 415),
    c('JSON declared as latin1', () => sendRaw(r, JSON.stringify(r.valid()), LATIN1_JSON), 415),
    c('application/xml', () => sendRaw(r, '<a/>', 'application/xml'), 415),
    c('multipart/form-data', () => sendRaw(r, '--b--\r\n', 'multipart/form-data; boundary=b'), 415),
    c('a body without a content-type', () => sendRaw(r, JSON.stringify(r.valid()))),
  ];
}

/** Malformed ids are 404 (no such resource); over Fastify's param limit 414; bad escapes 400. */
const ID_CASES: [string, number][] = [
  ['not-a-uuid', 404],
  ['%00', 404],
  ['..%2F..%2Fhealth', 404],
  [`${MISSING_ID}%00`, 404],
  ['x'.repeat(500), 414],
  ['%E0%A4%A', 400],
];
const QUERY_CASES = [
  'limit=abc',
  'limit=0',
  'limit=101',
  'limit=-1',
  'limit=1.5',
  'limit=1&limit=2',
  `cursor=${LONG}`,
  'unknown=1',
  '__proto__[polluted]=yes',
  'constructor[prototype][polluted]=yes',
];

function otherCases(): Case[] {
  const get = (path: string) => () => http.get(path, { token: adminToken });
  return [
    ...QUERY_CASES.map((q) => ({ name: `GET /users?${q.slice(0, 40)}`, send: get(`/users?${q}`) })),
    ...ID_CASES.flatMap(([id, status]) => [
      { name: `GET /users/${id.slice(0, 40)}`, send: get(`/users/${id}`), status },
      {
        name: `DELETE /users/${id.slice(0, 40)}`,
        send: () => http.delete(`/users/${id}`, { token: adminToken }),
        status,
      },
      {
        name: `DELETE /auth/sessions/${id.slice(0, 40)}`,
        send: () => http.delete(`/auth/sessions/${id}`, { token: userToken }),
        status,
      },
      {
        name: `DELETE /auth/passkeys/${id.slice(0, 40)}`,
        send: () => http.delete(`/auth/passkeys/${id}`, { token: userToken }),
        status,
      },
    ]),
    ...credentialCases(),
  ];
}

/** Inside the credential of a passkey registration or sign-in: every member is checked too. */
function credentialCases(): Case[] {
  const routes = [
    { path: '/auth/passkeys', token: () => userToken, body: (c: unknown) => ({ credential: c }) },
    {
      path: '/auth/login/passkey',
      token: () => undefined,
      body: (c: unknown) => ({ credential: c }),
    },
  ];
  const wrongs: [string, unknown][] = [
    ['a 10 000-char value', LONG],
    ['NUL', 'ab\u0000cd'],
    ['not base64url', 'a+b/c='],
    ['a number', 42],
    ['null', null],
    ['an object', {}],
  ];
  return routes.flatMap(({ path, token, body }) => {
    const credential = path === '/auth/passkeys' ? attestation() : assertion();
    const members = ['id', ...Object.keys(credential.response).map((m) => `response.${m}`)];
    return members.flatMap((member) =>
      // Browsers send null for a credential without a user handle: not bad input (a 401).
      wrongs
        .filter(([, value]) => value !== null || member !== 'response.userHandle')
        .map(([label, value]) => ({
          name: `POST ${path}: credential.${member} = ${label}`,
          status: 400,
          send: () => {
            const broken = structuredClone(credential) as Record<string, any>;
            const [outer, inner] = member.split('.');
            if (inner) broken[outer][inner] = value;
            else broken[outer] = value;
            return http.post(path, body(broken), { token: token() });
          },
        })),
    );
  });
}

const CASES: Case[] = [
  ...Object.entries(BODY_ROUTES).flatMap(([name, route]) => bodyCases(name, route)),
  ...otherCases(),
];

beforeAll(async () => {
  t = await startApp(
    testEnvironment({
      BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    }),
  );
  http = t.http;
  const admin = await login(ADMIN.email, ADMIN.password);
  expect(admin.scope.split(' ')).toContain('tokens:introspect'); // else introspect is only a 403
  adminToken = admin.access_token;
  const user = aUser();
  expect((await http.post('/auth/register', user)).status).toBe(201);
  userToken = (await login(user.username, user.password)).access_token;
  // PATCH changes end the target's sessions: the target is not the user whose token we use.
  targetUserId = (await http.post('/auth/register', aUser())).body.id;
});

afterAll(async () => {
  await t.close();
  await cleanUp(t.env);
});

async function login(username: string, password: string) {
  const response = await http.post('/auth/login', { username, password });
  expect(response.status).toBe(200);
  return response.body as { access_token: string; scope: string };
}

function expectClientError(response: HttpResponse, status?: number): void {
  expect(response.status).toBeGreaterThanOrEqual(400);
  expect(response.status).toBeLessThan(500);
  expectProblem(response, status ?? response.status);
}

describe('bad input', () => {
  it.each(CASES.map((c) => [c.name, c] as const))(
    'answers 4xx problem+json to %s',
    async (_, c) => {
      expectClientError(await c.send(), c.status);
    },
  );
});

describe('what a rejected request leaves behind', () => {
  it('creates no user from a register that asks for roles', async () => {
    const user = aUser();
    expectProblem(await http.post('/auth/register', { ...user, roles: ['admin'] }), 400);
    const registered = await http.post('/auth/register', user);
    expect(registered.status).toBe(201);
    expect(registered.body.roles).toEqual(['user']);
  });

  it('creates no user from a register with NUL in the password', async () => {
    const user = aUser();
    const nul = { ...user, password: `${user.password}\u0000tail` };
    expectProblem(await http.post('/auth/register', nul), 400);
    expect((await http.post('/auth/register', user)).status).toBe(201);
  });

  it('applies no part of a PATCH that has one invalid field', async () => {
    const patch = { roles: ['admin'], active: 'no' };
    expectProblem(await http.patch(`/users/${targetUserId}`, patch, { token: adminToken }), 400);
    const user = await http.get(`/users/${targetUserId}`, { token: adminToken });
    expect(user.body).toEqual(expect.objectContaining({ roles: ['user'], active: true }));
  });

  it('creates no user from a POST /users with an unknown role', async () => {
    const user = aUser();
    const bad = { ...user, roles: ['root'] };
    expectProblem(await http.post('/users', bad, { token: adminToken }), 400);
    expect((await http.post('/users', user, { token: adminToken })).status).toBe(201);
  });

  it('never sets keys on Object.prototype from a polluted body or query', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
  });
});

describe('media types', () => {
  it('takes a form body on revoke, as RFC 7009 requires, and refuses it on login', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const revoke = await http.post('/auth/revoke', undefined, { raw: 'token=junk', headers: form });
    expect(revoke.status).toBe(200);
    const login = 'username=someone&password=a-password-here';
    expectProblem(await http.post('/auth/login', undefined, { raw: login, headers: form }), 415);
  });

  it('takes JSON with a charset parameter', async () => {
    const headers = { 'content-type': 'application/json; charset=utf-8' };
    const raw = JSON.stringify(aUser());
    expect((await http.post('/auth/register', undefined, { raw, headers })).status).toBe(201);
  });
});

describe('unicode', () => {
  it.each([
    ['an emoji', 'ada😀'],
    ['a right-to-left override', 'ada\u202Enimda'],
    ['a combining mark', 'ade\u0301'],
  ])('refuses a username with %s', async (_, username) => {
    expectProblem(await http.post('/auth/register', aUser({ username })), 400);
  });

  it.each([
    ['a right-to-left override', (local: string) => `\u202E${local}@example.com`],
    ['a zero-width space', (local: string) => `${local}\u200B@example.com`],
    ['a control character', (local: string) => `${local}\u0007@example.com`],
  ])('refuses an email with %s', async (_, email) => {
    const user = aUser();
    expectProblem(await http.post('/auth/register', { ...user, email: email(user.username) }), 400);
  });

  it('accepts a password of emoji, right-to-left text and combining marks, and signs in with it', async () => {
    const user = aUser({ password: '😀🔐 שלום עולם e\u0301\u0301 👨‍👩‍👧 ok' });
    expect((await http.post('/auth/register', user)).status).toBe(201);
    const ok = await http.post('/auth/login', { username: user.email, password: user.password });
    expect(ok.status).toBe(200);
  });
});

describe('the Authorization header', () => {
  it.each(['Bearer', 'Bearer ', 'Basic x', 'Bearer a b', 'Bearer  x', 'Token abc', LONG])(
    'answers 401 problem+json to "%s"',
    async (header) => {
      const response = await http.get('/auth/me', { headers: { authorization: header } });
      expectProblem(response, 401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    },
  );

  it.each(['bearer', 'BEARER', 'bEaReR'])(
    'takes the scheme case-insensitively: "%s"',
    async (s) => {
      const response = await http.get('/auth/me', {
        headers: { authorization: `${s} ${userToken}` },
      });
      expect(response.status).toBe(200);
    },
  );
});

describe('afterwards', () => {
  it('is still alive and ready', async () => {
    expect((await http.get('/health/live')).status).toBe(200);
    expect((await http.get('/health/ready')).status).toBe(200);
  });
});
