import { Problem } from '../src/common/errors/problem';
import { aUser } from './factories/user.factory';
import { expectProblem } from './support/expectations';
import { HttpResponse } from './support/http';
import { useTestApp } from './support/test-app';

/*
 * What is refused before a guard, pipe or handler sees a body: nesting deeper than 32 levels
 * (400), strings that are not well-formed Unicode (400) and a declared charset other than UTF-8
 * (415). bad-input.e2e-spec.ts sends each of them to every route that takes a body.
 */

const ADMIN = { email: 'encoding-admin@example.com', password: 'admin-password-for-encoding' };
const JSON_TYPE = 'application/json';
const FORM_TYPE = 'application/x-www-form-urlencoded';

/** `{"a":{"a":…{}}}` with `depth` levels of objects, as raw text. */
const nested = (depth: number) => `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;
/** `body` as JSON with `member` (raw text such as `"key":value`) spliced in first. */
const withRaw = (body: object, member: string) =>
  JSON.stringify(body).replace(/^\{/, `{${member},`);
/** A lone surrogate as the JSON escape a client sends; JSON.parse decodes it to U+D800 alone. */
const LONE = '\\ud800';

const app = useTestApp({
  BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
  BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
});
const send = (method: string, path: string, raw: string, type = JSON_TYPE, token?: string) =>
  app().http.request<Problem>(method, path, undefined, {
    raw,
    token,
    headers: { 'content-type': type },
  });
const post = (path: string, raw: string, type = JSON_TYPE, token?: string) =>
  send('POST', path, raw, type, token);

let adminToken: string;
let targetId: string;
beforeAll(async () => {
  const { http } = app();
  const admin = await http.post('/auth/login', { username: ADMIN.email, password: ADMIN.password });
  adminToken = admin.body.access_token;
  targetId = (await http.post('/auth/register', aUser())).body.id;
});

function expectRefused(response: HttpResponse, detail: RegExp): void {
  expectProblem(response, 400);
  expect(response.body.detail).toMatch(detail);
}

describe('JSON nesting', () => {
  const DEEP = nested(3000);

  it.each(['/auth/login', '/auth/register', '/auth/refresh', '/auth/revoke'])(
    'answers 400 problem+json to 3 000 levels of nesting sent to %s',
    async (path) => {
      expectRefused(await post(path, DEEP), /JSON nested deeper than 32 levels/);
    },
  );

  it('refuses deep arrays inside a field as it refuses deep objects', async () => {
    const raw = withRaw(aUser(), `"deep":${'['.repeat(3000)}${']'.repeat(3000)}`);
    expectRefused(await post('/auth/register', raw), /JSON nested deeper than 32 levels/);
  });

  it('leaves 32 levels to validation, and refuses 33 before it', async () => {
    // The body is level 1, so `extra` holds levels 2 to 32 (or 33).
    const fine = await post('/auth/register', withRaw(aUser(), `"extra":${nested(31)}`));
    expectProblem(fine, 400);
    expect(fine.body.errors).toEqual([{ field: 'extra', message: expect.any(String) }]);
    const deep = await post('/auth/register', withRaw(aUser(), `"extra":${nested(32)}`));
    expectRefused(deep, /JSON nested deeper than 32 levels/);
  });

  it('still takes a body with an array in it', async () => {
    const raw = JSON.stringify({ ...aUser(), roles: ['user'] });
    expect((await post('/users', raw, JSON_TYPE, adminToken)).status).toBe(201);
  });
});

describe('well-formed Unicode', () => {
  const register = (email: string) =>
    JSON.stringify({ ...aUser(), email: 'EMAIL' }).replace('EMAIL', email);

  it('refuses a lone surrogate in the email at register with 400 naming the field', async () => {
    const response = await post('/auth/register', register(`${LONE}ada@example.com`));
    expectRefused(response, /well-formed Unicode/);
    expect(response.body.errors).toEqual([{ field: 'email', message: expect.any(String) }]);
  });

  it('refuses a lone surrogate in the email at admin create', async () => {
    const raw = register(`ada${LONE}@example.com`);
    expectRefused(await post('/users', raw, JSON_TYPE, adminToken), /well-formed Unicode/);
  });

  it('refuses a lone surrogate in a key, or deep in an array', async () => {
    const login = withRaw({ username: 'ada', password: 'x' }, `"${LONE}":1`);
    expectRefused(await post('/auth/login', login), /well-formed Unicode/);
    const raw = JSON.stringify({ roles: ['user', 'X'] }).replace('X', `\\udfff${LONE}`);
    const response = await send('PATCH', `/users/${targetId}`, raw, JSON_TYPE, adminToken);
    expectRefused(response, /well-formed Unicode/);
  });

  it('takes a surrogate pair sent as escapes: that is one well-formed character', async () => {
    const user = aUser();
    const raw = JSON.stringify(user).replace(user.password, `${user.password}\\ud83d\\ude00`);
    expect((await post('/auth/register', raw)).status).toBe(201);
    const password = `${user.password}😀`;
    const login = await app().http.post('/auth/login', { username: user.username, password });
    expect(login.status).toBe(200);
  });

  it('never turns a bad percent-encoding in a query string or path into a 500', async () => {
    for (const path of ['/users?cursor=%ED%A0%80', '/users/%ED%A0%80', '/users?cursor=%F0%9F']) {
      const response = await app().http.get(path, { token: adminToken });
      expect(response.status).toBeLessThan(500);
    }
  });
});

describe('declared charset', () => {
  it.each(['latin1', 'bogus', 'utf-16', 'iso-8859-1', '"utf-8x"'])(
    'answers 415 to JSON declared as charset=%s',
    async (charset) => {
      const response = await post(
        '/auth/register',
        JSON.stringify(aUser()),
        `${JSON_TYPE}; charset=${charset}`,
      );
      expectProblem(response, 415);
    },
  );

  it('answers 415 to a form declared in another charset on revoke', async () => {
    expectProblem(await post('/auth/revoke', 'token=x', `${FORM_TYPE}; charset=latin1`), 415);
  });

  it.each([
    'application/json; charset=utf-8',
    'application/json;charset=UTF-8',
    'application/json; charset="utf-8"',
    'Application/JSON; Charset=Utf-8',
  ])('takes %s', async (type) => {
    expect((await post('/auth/register', JSON.stringify(aUser()), type)).status).toBe(201);
  });
});
