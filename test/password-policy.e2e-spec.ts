import { randomBytes } from 'node:crypto';
import { aUser, credentials, UserInput } from './factories/user.factory';
import { expectProblem } from './support/expectations';
import { HttpResponse } from './support/http';
import { cleanUp, startApp, testEnvironment, TestApp } from './support/test-app';

const ADMIN = { email: 'root@example.com', password: 'admin-password-for-tests-only' };

/** A password of exactly `length` characters that no list holds. */
const passwordOf = (length: number) => randomBytes(length).toString('base64url').slice(0, length);

/** Every breach of the policy, with what the 400 must say, for a given identity. */
function breaches(who: UserInput): [string, string, RegExp][] {
  return [
    ['11 characters', passwordOf(11), /12 to 128/],
    ['129 characters', passwordOf(129), /12 to 128/],
    ['the email', who.email.toUpperCase(), /email or username/],
    ['the username', who.username.toUpperCase(), /email or username/],
    ['a common password', '1qaz2wsx3edc', /too common/],
  ];
}

function expectPolicyError(response: HttpResponse, field: string, message: RegExp): void {
  expectProblem(response, 400);
  expect(response.body.errors).toEqual([{ field, message: expect.stringMatching(message) }]);
}

describe('one password policy for register, password change and admin create', () => {
  let t: TestApp;
  let adminToken: string;

  beforeAll(async () => {
    t = await startApp(
      testEnvironment({
        BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
        BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      }),
    );
    const admin = await t.http.post('/auth/login', { username: 'root', password: ADMIN.password });
    adminToken = admin.body.access_token;
  });
  afterAll(async () => {
    await t.close();
    await cleanUp(t.env);
  });

  /** A user whose username is long enough (12+) that "password = username" is its own case. */
  const aLongNamedUser = () => aUser({ username: `long_name_${randomBytes(4).toString('hex')}` });

  it('refuses each breach at register with a 400 naming the password', async () => {
    const user = aLongNamedUser();
    for (const [, password, message] of breaches(user)) {
      const response = await t.http.post('/auth/register', { ...user, password });
      expectPolicyError(response, 'password', message);
    }
  });

  it('refuses each breach at password change with a 400 naming newPassword', async () => {
    const user = aLongNamedUser();
    expect((await t.http.post('/auth/register', user)).status).toBe(201);
    const login = await t.http.post('/auth/login', {
      username: user.username,
      password: user.password,
    });
    const token = login.body.access_token;
    for (const [, password, message] of breaches(user)) {
      const response = await t.http.post(
        '/auth/password',
        { currentPassword: user.password, newPassword: password },
        { token },
      );
      expectPolicyError(response, 'newPassword', message);
    }
    // The old password still works: nothing was changed by a refused attempt.
    const again = await t.http.post('/auth/login', {
      username: user.username,
      password: user.password,
    });
    expect(again.status).toBe(200);
  });

  it('refuses each breach at admin create with a 400 naming the password', async () => {
    const user = aLongNamedUser();
    for (const [, password, message] of breaches(user)) {
      const response = await t.http.post('/users', { ...user, password }, { token: adminToken });
      expectPolicyError(response, 'password', message);
    }
  });

  it('accepts 12 and 128 characters on all three paths', async () => {
    for (const length of [12, 128]) {
      expect(
        (await t.http.post('/auth/register', aUser({ password: passwordOf(length) }))).status,
      ).toBe(201);
      const created = await t.http.post('/users', aUser({ password: passwordOf(length) }), {
        token: adminToken,
      });
      expect(created.status).toBe(201);
    }
    const user = aUser();
    await t.http.post('/auth/register', user);
    const login = await t.http.post('/auth/login', {
      username: user.username,
      password: user.password,
    });
    const next = passwordOf(128);
    const changed = await t.http.post(
      '/auth/password',
      { currentPassword: user.password, newPassword: next },
      { token: login.body.access_token },
    );
    expect(changed.status).toBe(204);
    expect(
      (await t.http.post('/auth/login', { username: user.username, password: next })).status,
    ).toBe(200);
  });

  it('never truncates: a 100-character password differing only in its last character is another password', async () => {
    const a = passwordOf(100);
    const b = `${a.slice(0, 99)}${a.endsWith('x') ? 'y' : 'x'}`;
    const user = aUser({ password: a });
    expect((await t.http.post('/auth/register', user)).status).toBe(201);
    expectProblem(await t.http.post('/auth/login', { username: user.username, password: b }), 401);
    expect(
      (await t.http.post('/auth/login', { username: user.username, password: a })).status,
    ).toBe(200);
  });

  describe('every invalid field in one answer, the policy included', () => {
    const fieldsOf = (response: HttpResponse) =>
      new Set((response.body.errors as { field: string }[]).map((e) => e.field));
    const BAD = { email: 'not-an-email', username: 'a b', password: '1qaz2wsx3edc' };

    it('lists a bad email, a bad username and a common password at register', async () => {
      const response = await t.http.post('/auth/register', BAD);
      expectProblem(response, 400);
      expect(fieldsOf(response)).toEqual(new Set(['email', 'username', 'password']));
      expect(response.body.errors).toContainEqual({
        field: 'password',
        message: expect.stringMatching(/too common/),
      });
    });

    it('lists a password equal to the email next to a bad username', async () => {
      const { email } = aUser();
      const response = await t.http.post('/auth/register', {
        email,
        username: '!',
        password: email,
      });
      expectProblem(response, 400);
      expect(response.body.errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ field: 'username' }),
          { field: 'password', message: expect.stringMatching(/email or username/) },
        ]),
      );
    });

    it('lists every field at admin create, roles included', async () => {
      const response = await t.http.post(
        '/users',
        { ...BAD, roles: ['root'] },
        { token: adminToken },
      );
      expectProblem(response, 400);
      expect(fieldsOf(response)).toEqual(new Set(['email', 'username', 'password', 'roles']));
    });

    it('lists both passwords at password change', async () => {
      const user = aUser();
      expect((await t.http.post('/auth/register', user)).status).toBe(201);
      const login = await t.http.post('/auth/login', credentials(user));
      const response = await t.http.post(
        '/auth/password',
        { currentPassword: 'bell\u0007', newPassword: 'short' },
        { token: login.body.access_token },
      );
      expectProblem(response, 400);
      expect(fieldsOf(response)).toEqual(new Set(['currentPassword', 'newPassword']));
    });
  });
});
