import { sign as signJwt } from 'jsonwebtoken';
import WebSocket from 'ws';
import { SigningKeys } from '../src/tokens/signing-keys';
import { expectInvalidToken, expectProblem } from './support/expectations';
import { cleanUp, startApp, testEnvironment, TestApp } from './support/test-app';
import { expectClosedWithin1s, login, openSocket as open, ticketFor } from './support/ws-client';

/** Opens a socket for a fresh user on `t` and asserts it is greeted. */
async function expectGreetedSocket(t: TestApp, http = t.http) {
  const session = await login(http);
  const ws = open(t, `?ticket=${await ticketFor(http, session.tokens.access_token)}`);
  await expect(ws.hello).resolves.toEqual({ type: 'hello', userId: session.userId });
  return { ...session, ws };
}

describe('WebSocket tickets and the /ws gateway (two instances on one Redis)', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    const env = testEnvironment();
    a = await startApp(env);
    b = await startApp(env); // same prefix and keys: a second instance of one deployment
  });

  afterAll(async () => {
    await a.close();
    await b.close();
    await cleanUp(a.env);
  });

  it('issues a 60-second ticket, no-store, only to a bearer of a valid access token', async () => {
    const { tokens } = await login(a.http);
    const response = await a.http.post('/auth/ws-ticket', undefined, {
      token: tokens.access_token,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body).toEqual({ ticket: expect.any(String), expires_in: 60 });
    const header = JSON.parse(
      Buffer.from(response.body.ticket.split('.')[0], 'base64url').toString(),
    );
    expect(header.typ).toBe('ws-ticket+jwt');
    expectProblem(await a.http.post('/auth/ws-ticket'), 401);
  });

  it('never accepts a ticket as an access token', async () => {
    const { tokens } = await login(a.http);
    const ticket = await ticketFor(a.http, tokens.access_token);
    expectInvalidToken(await a.http.get('/auth/me', { token: ticket }));
  });

  it('answers a plain GET /ws (no Upgrade) 426 with Upgrade: websocket, not a bare 404', async () => {
    const plain = await a.http.get('/ws?ticket=x');
    expectProblem(plain, 426);
    expect(plain.body.type).toBe('https://tessera.dev/problems/upgrade-required');
    expect(plain.headers.get('upgrade')).toBe('websocket');
    // The handshake itself is still the gateway's.
    const { ws } = await expectGreetedSocket(a);
    ws.socket.close();
  });

  it('greets a valid ticket with hello on either instance', async () => {
    const { ws } = await expectGreetedSocket(a);
    ws.socket.close();
    const { ws: other } = await expectGreetedSocket(b);
    other.socket.close();
  });

  it('accepts a ticket once only, also across instances', async () => {
    const { tokens } = await login(a.http);
    const ticket = await ticketFor(a.http, tokens.access_token);
    const first = open(a, `?ticket=${ticket}`);
    await expect(first.hello).resolves.toEqual(expect.objectContaining({ type: 'hello' }));
    expect((await open(a, `?ticket=${ticket}`).closed).code).toBe(4401);
    expect((await open(b, `?ticket=${ticket}`).closed).code).toBe(4401);
    first.socket.close();
  });

  it('closes with 4401 for a missing ticket, an access token, a refresh token or garbage', async () => {
    const { tokens } = await login(a.http);
    const queries = [
      '',
      '?ticket=',
      `?ticket=${tokens.access_token}`,
      `?ticket=${encodeURIComponent(tokens.refresh_token)}`,
      '?ticket=a.b.c',
    ];
    const codes = await Promise.all(queries.map(async (q) => (await open(a, q).closed).code));
    expect(codes).toEqual(queries.map(() => 4401));
  });

  it('closes with 4401 for an expired ticket signed with our own key', async () => {
    const { tokens, userId } = await login(a.http);
    const key = a.app.get(SigningKeys).active;
    const now = Math.floor(Date.now() / 1000);
    const expired = signJwt(
      {
        iss: a.env.jwt.issuer,
        aud: `${a.env.jwt.issuer}/ws`,
        sub: userId,
        sid: tokens.session_id,
        jti: 'expired-ticket',
        iat: now - 600,
        exp: now - 540,
      },
      key.signingKey,
      { algorithm: key.alg, header: { alg: key.alg, typ: 'ws-ticket+jwt', kid: key.kid } },
    );
    expect((await open(a, `?ticket=${expired}`).closed).code).toBe(4401);
  });

  it('refuses a ticket whose session ended before it was used', async () => {
    const { tokens } = await login(a.http);
    const ticket = await ticketFor(a.http, tokens.access_token);
    await a.http.post('/auth/logout', undefined, { token: tokens.access_token });
    expect((await open(a, `?ticket=${ticket}`).closed).code).toBe(4401);
  });

  it('closes the socket on instance A within 1 s of a logout on instance B', async () => {
    const { tokens, ws } = await expectGreetedSocket(a);
    const since = Date.now();
    expect(
      (await b.http.post('/auth/logout', undefined, { token: tokens.access_token })).status,
    ).toBe(204);
    await expectClosedWithin1s(ws, since);
  });

  it('closes every socket of the user on logout-all, on both instances', async () => {
    const { tokens, ws } = await expectGreetedSocket(a);
    const second = await b.http.post('/auth/refresh', { refresh_token: tokens.refresh_token });
    const other = open(b, `?ticket=${await ticketFor(b.http, second.body.access_token)}`);
    await other.hello;
    const since = Date.now();
    await b.http.post('/auth/logout-all', undefined, { token: second.body.access_token });
    await expectClosedWithin1s(ws, since);
    await expectClosedWithin1s(other, since);
  });

  it('closes the socket when its session is deleted from the session list', async () => {
    const { tokens, ws } = await expectGreetedSocket(a);
    const since = Date.now();
    const deleted = await b.http.delete(`/auth/sessions/${tokens.session_id}`, {
      token: tokens.access_token,
    });
    expect(deleted.status).toBe(204);
    await expectClosedWithin1s(ws, since);
  });

  it('closes the socket when refresh-token reuse revokes the session', async () => {
    const { tokens, ws } = await expectGreetedSocket(a);
    expect(
      (await b.http.post('/auth/refresh', { refresh_token: tokens.refresh_token })).status,
    ).toBe(200);
    const since = Date.now();
    expectProblem(await b.http.post('/auth/refresh', { refresh_token: tokens.refresh_token }), 401);
    await expectClosedWithin1s(ws, since);
  });

  it('closes the socket when its refresh token is revoked (RFC 7009)', async () => {
    const { tokens, ws } = await expectGreetedSocket(a);
    const since = Date.now();
    expect((await b.http.post('/auth/revoke', { token: tokens.refresh_token })).status).toBe(200);
    await expectClosedWithin1s(ws, since);
  });

  it("closes the other sessions' sockets on a password change, and keeps the current one", async () => {
    const { user, tokens, ws } = await expectGreetedSocket(a);
    const current = await b.http.post('/auth/login', {
      username: user.username,
      password: user.password,
    });
    const kept = open(b, `?ticket=${await ticketFor(b.http, current.body.access_token)}`);
    await kept.hello;
    const since = Date.now();
    const changed = await b.http.post(
      '/auth/password',
      { currentPassword: user.password, newPassword: `${user.password}-new-and-longer` },
      { token: current.body.access_token },
    );
    expect(changed.status).toBe(204);
    await expectClosedWithin1s(ws, since);
    expect(kept.socket.readyState).toBe(WebSocket.OPEN);
    kept.socket.close();
    expect(tokens.session_id).not.toBe(current.body.session_id);
  });
});

describe('WebSocket gateway on the memory store', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp(testEnvironment({ REDIS_URL: '' }));
  });
  afterAll(async () => {
    await t.close();
    await cleanUp(t.env);
  });

  it('greets a valid ticket and closes the socket within 1 s of logout', async () => {
    const { tokens, ws } = await expectGreetedSocket(t);
    const since = Date.now();
    await t.http.post('/auth/logout', undefined, { token: tokens.access_token });
    await expectClosedWithin1s(ws, since);
  });
});
