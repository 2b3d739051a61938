import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { THROTTLE_LIMITS } from '../src/throttle/throttle.limits';
import { SocketStore } from '../src/ws/socket.store';
import { expectProblem } from './support/expectations';
import { cleanUp, startApp, testEnvironment, TestApp, useTestApp } from './support/test-app';
import { greetedSocket, login, openSocket, Opened, signIn, ticketFor } from './support/ws-client';

const PER_SESSION = 5;
const PER_USER = 20;

const isOpen = (ws: Opened) => ws.socket.readyState === WebSocket.OPEN;

/** Waits until `done()` holds, for at most `ms`. */
async function until(done: () => boolean, ms = 3_000): Promise<void> {
  for (const end = Date.now() + ms; !done() && Date.now() < end;) await sleep(10);
}

describe('WebSocket caps per session and per user (two instances on one Redis)', () => {
  let a: TestApp;
  let b: TestApp;
  let store: SocketStore;
  /** Alternates instances: socket i opens on A when i is even, on B when odd. */
  const on = (i: number) => (i % 2 === 0 ? a : b);

  beforeAll(async () => {
    const env = testEnvironment(); // the defaults: 5 per session, 20 per user
    a = await startApp(env);
    b = await startApp(env);
    store = a.app.get<SocketStore>(SocketStore);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await cleanUp(a.env);
  });

  it('closes exactly the oldest sockets of a session beyond 5 with 4429, across instances', async () => {
    const { userId, tokens } = await login(a.http);
    const sockets: Opened[] = [];
    const counts: number[] = [];
    for (let i = 0; i < PER_SESSION + 2; i++) {
      sockets.push(await greetedSocket(on(i), tokens.access_token));
      counts.push((await store.list(userId, tokens.session_id)).length);
    }
    // The 6th (on B) displaces the 1st (on A); the 7th (on A) the 2nd (on B).
    expect([(await sockets[0].closed).code, (await sockets[1].closed).code]).toEqual([4429, 4429]);
    await sleep(200);
    expect(sockets.map(isOpen)).toEqual([false, false, true, true, true, true, true]);
    expect(counts).toEqual([1, 2, 3, 4, 5, 5, 5]);
    sockets.forEach((ws) => ws.socket.close());
  });

  it("closes the user's oldest sockets beyond 20, whichever session holds them", async () => {
    const { user, userId, tokens } = await login(a.http);
    const sessions = [tokens, ...(await Promise.all([1, 2, 3, 4].map(() => signIn(a.http, user))))];
    const sockets: Opened[] = [];
    for (let i = 0; i < PER_USER; i++) {
      sockets.push(await greetedSocket(on(i), sessions[Math.floor(i / PER_SESSION)].access_token));
    }
    expect(await store.list(userId)).toHaveLength(PER_USER);
    for (let i = 0; i < 2; i++) {
      sockets.push(await greetedSocket(on(i), sessions[4].access_token));
      expect(await store.list(userId)).toHaveLength(PER_USER);
    }
    expect([(await sockets[0].closed).code, (await sockets[1].closed).code]).toEqual([4429, 4429]);
    await sleep(200);
    expect(sockets.filter((ws) => !isOpen(ws))).toEqual([sockets[0], sockets[1]]);
    sockets.forEach((ws) => ws.socket.close());
  });

  it('stops counting a socket once it closes, on either instance', async () => {
    const { userId, tokens } = await login(a.http);
    const sockets = [
      await greetedSocket(a, tokens.access_token),
      await greetedSocket(b, tokens.access_token),
      await greetedSocket(b, tokens.access_token),
    ];
    sockets[0].socket.close();
    sockets[1].socket.close();
    let counted = 3;
    for (const end = Date.now() + 2_000; counted > 1 && Date.now() < end; await sleep(20)) {
      counted = (await store.list(userId)).length;
    }
    expect(counted).toBe(1);
    sockets[2].socket.close();
  });

  it('never counts more than the caps while 60 sockets of 6 sessions connect at once to both instances', async () => {
    const { user, userId, tokens } = await login(a.http);
    const sessions = [
      tokens,
      ...(await Promise.all([1, 2, 3, 4, 5].map(() => signIn(a.http, user)))),
    ];
    // Session 0 gets 30 sockets (against its cap of 5), the other five 6 each: both caps contend.
    const sessionOf = (i: number) => (i % 2 === 0 ? 0 : 1 + (i % 5));
    const tickets = await Promise.all(
      Array.from({ length: 60 }, (_, i) => ticketFor(a.http, sessions[sessionOf(i)].access_token)),
    );
    const peaks = { user: 0, session: 0, samples: 0 };
    let racing = true;
    const sampler = (async () => {
      while (racing) {
        peaks.samples += 1;
        const counts = await Promise.all(sessions.map((s) => store.list(userId, s.session_id)));
        peaks.session = Math.max(peaks.session, ...counts.map((c) => c.length));
        peaks.user = Math.max(peaks.user, (await store.list(userId)).length);
      }
    })();
    const sockets = tickets.map((ticket, i) => openSocket(on(i >> 1), `?ticket=${ticket}`));
    await Promise.all(sockets.map((ws) => Promise.race([ws.hello, ws.closed]).catch(() => null)));
    await until(() => sockets.filter(isOpen).length <= PER_USER);
    racing = false;
    await sampler;

    expect(peaks.samples).toBeGreaterThan(3);
    expect(peaks.session).toBeLessThanOrEqual(PER_SESSION);
    expect(peaks.user).toBe(PER_USER);
    const open = sockets.filter(isOpen);
    expect(open).toHaveLength(PER_USER);
    const closed = await Promise.all(sockets.filter((ws) => !isOpen(ws)).map((ws) => ws.closed));
    expect(new Set(closed.map((c) => c.code))).toEqual(new Set([4429]));
    for (let s = 0; s < 6; s++) {
      const openOfSession = sockets.filter((ws, i) => sessionOf(i) === s && isOpen(ws)).length;
      expect(openOfSession).toBeLessThanOrEqual(PER_SESSION);
      expect(await store.list(userId, sessions[s].session_id)).toHaveLength(openOfSession);
    }
    open.forEach((ws) => ws.socket.close());
  });

  it('throttles ticket issuance per user: 429 with Retry-After past the limit, others unaffected', async () => {
    const { user, tokens } = await login(a.http);
    const statuses: number[] = [];
    for (let i = 0; i < THROTTLE_LIMITS.wsTicket; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, (_, j) =>
          on(j).http.post('/auth/ws-ticket', undefined, { token: tokens.access_token }),
        ),
      );
      statuses.push(...batch.map((r) => r.status));
    }
    expect(statuses.every((s) => s === 200)).toBe(true);
    const over = await b.http.post('/auth/ws-ticket', undefined, { token: tokens.access_token });
    expectProblem(over, 429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    // The budget is the user's: another session of theirs is refused too, another user is not.
    const second = await signIn(a.http, user);
    const again = await a.http.post('/auth/ws-ticket', undefined, { token: second.access_token });
    expectProblem(again, 429);
    const other = await login(a.http);
    expect(
      (await a.http.post('/auth/ws-ticket', undefined, { token: other.tokens.access_token }))
        .status,
    ).toBe(200);
  });
});

describe('WebSocket caps on the memory store', () => {
  const app = useTestApp({
    REDIS_URL: '',
    WS_MAX_SOCKETS_PER_SESSION: '2',
    WS_MAX_SOCKETS_PER_USER: '3',
  });

  it('closes the oldest socket beyond the configured caps with 4429', async () => {
    const t = app();
    const { user, tokens } = await login(t.http);
    const first = await greetedSocket(t, tokens.access_token);
    const second = await greetedSocket(t, tokens.access_token);
    const third = await greetedSocket(t, tokens.access_token);
    expect((await first.closed).code).toBe(4429);
    const other = await signIn(t.http, user);
    const fourth = await greetedSocket(t, other.access_token);
    const fifth = await greetedSocket(t, other.access_token);
    expect((await second.closed).code).toBe(4429);
    expect([third, fourth, fifth].map(isOpen)).toEqual([true, true, true]);
    [third, fourth, fifth].forEach((ws) => ws.socket.close());
  });
});
