import { aUser } from '../factories/user.factory';
import { expectInvalidToken, expectProblem } from './expectations';
import { RedisTarget, subscribersOf } from './redis';
import { TestApp } from './test-app';
import { until } from './wait';
import { expectClosedWithin1s, greetedSocket, login, signIn } from './ws-client';

/**
 * The user-visible flows, each over two instances of one deployment (`a` and `b`, which may be
 * the same app): what a store topology, an outage or a failover must leave working.
 */

/** Register on A, login on B, /auth/me, a refresh on the other instance, and its old token. */
export async function expectSignInFlow(a: TestApp, b: TestApp): Promise<void> {
  const user = aUser();
  expect((await a.http.post('/auth/register', user)).status).toBe(201);
  const tokens = await signIn(b.http, user);
  const me = await a.http.get('/auth/me', { token: tokens.access_token });
  expect(me.body).toEqual(expect.objectContaining({ username: user.username }));
  const refreshed = await a.http.post('/auth/refresh', { refresh_token: tokens.refresh_token });
  expect(refreshed.status).toBe(200);
  expect((await b.http.get('/auth/me', { token: refreshed.body.access_token })).status).toBe(200);
  // The rotated-away token is reuse: refused, and the whole session ends, on either instance.
  expectProblem(await b.http.post('/auth/refresh', { refresh_token: tokens.refresh_token }), 401);
  expectInvalidToken(await a.http.get('/auth/me', { token: refreshed.body.access_token }));
}

/** A logout on A is refused on B at once: access token and refresh token. */
export async function expectLogoutFlow(a: TestApp, b: TestApp): Promise<void> {
  const { tokens } = await login(a.http);
  expect((await b.http.get('/auth/me', { token: tokens.access_token })).status).toBe(200);
  const logout = await a.http.post('/auth/logout', undefined, { token: tokens.access_token });
  expect(logout.status).toBe(204);
  expectInvalidToken(await b.http.get('/auth/me', { token: tokens.access_token }));
  expectProblem(await b.http.post('/auth/refresh', { refresh_token: tokens.refresh_token }), 401);
}

/** Logout-all on B ends the user's sessions started on A and on B. */
export async function expectLogoutAllFlow(a: TestApp, b: TestApp): Promise<void> {
  const user = aUser();
  expect((await a.http.post('/auth/register', user)).status).toBe(201);
  const first = await signIn(a.http, user);
  const second = await signIn(b.http, user);
  const all = await b.http.post('/auth/logout-all', undefined, { token: second.access_token });
  expect(all.status).toBe(204);
  for (const tokens of [first, second]) {
    expectInvalidToken(await a.http.get('/auth/me', { token: tokens.access_token }));
    expectProblem(await a.http.post('/auth/refresh', { refresh_token: tokens.refresh_token }), 401);
  }
}

/**
 * A WebSocket on A is closed with 4401 within 1 s of a logout on B. Waits first (bounded) until
 * `subscribers` connections listen on the deployment's session-ended channel in `target`.
 */
export async function expectSocketClosedOnLogout(
  a: TestApp,
  b: TestApp,
  target: RedisTarget,
  subscribers = a === b ? 1 : 2,
): Promise<void> {
  const channel = `${a.env.store.keyPrefix}session-ended`;
  await until('subscribed', async () => (await subscribersOf(channel, target)) === subscribers);
  const { tokens } = await login(b.http);
  const ws = await greetedSocket(a, tokens.access_token);
  const since = Date.now();
  const logout = await b.http.post('/auth/logout', undefined, { token: tokens.access_token });
  expect(logout.status).toBe(204);
  await expectClosedWithin1s(ws, since);
}

/** Every flow above, in turn. */
export async function expectEveryFlow(a: TestApp, b: TestApp, target: RedisTarget): Promise<void> {
  await expectSignInFlow(a, b);
  await expectLogoutFlow(a, b);
  await expectLogoutAllFlow(a, b);
  await expectSocketClosedOnLogout(a, b, target);
}
