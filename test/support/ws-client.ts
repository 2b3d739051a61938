import WebSocket from 'ws';
import { aUser, UserInput } from '../factories/user.factory';
import { Http } from './http';
import { TestApp } from './test-app';

/** A client socket to /ws with its first message and its close, as promises. */
export interface Opened {
  socket: WebSocket;
  /** The first message, parsed; rejects if the socket closes first. */
  hello: Promise<unknown>;
  /** The close code and when it arrived (ms epoch). */
  closed: Promise<{ code: number; at: number }>;
}

/** Opens `GET /ws<query>` on the app. */
export function openSocket(t: TestApp, query: string): Opened {
  const socket = new WebSocket(`${t.http.baseUrl.replace(/^http/, 'ws')}/ws${query}`);
  const closed = new Promise<{ code: number; at: number }>((resolve) =>
    socket.once('close', (code) => resolve({ code, at: Date.now() })),
  );
  const hello = new Promise<unknown>((resolve, reject) => {
    socket.once('message', (data: Buffer) => resolve(JSON.parse(data.toString('utf8'))));
    socket.once('close', (code) => reject(new Error(`closed with ${code} before a message`)));
  });
  hello.catch(() => undefined);
  return { socket, hello, closed };
}

/** A token response of a new session of `user`. */
export async function signIn(http: Http, user: UserInput) {
  const response = await http.post('/auth/login', {
    username: user.username,
    password: user.password,
  });
  expect(response.status).toBe(200);
  return response.body as { access_token: string; refresh_token: string; session_id: string };
}

/** Registers a fresh user and signs them in once. */
export async function login(http: Http) {
  const user = aUser();
  expect((await http.post('/auth/register', user)).status).toBe(201);
  const tokens = await signIn(http, user);
  const me = await http.get('/auth/me', { token: tokens.access_token });
  return { user, userId: me.body.id as string, tokens };
}

export async function ticketFor(http: Http, accessToken: string): Promise<string> {
  const response = await http.post('/auth/ws-ticket', undefined, { token: accessToken });
  expect(response.status).toBe(200);
  return response.body.ticket as string;
}

/** Opens a socket of the session (its access token) on `t` and waits for the greeting. */
export async function greetedSocket(t: TestApp, accessToken: string): Promise<Opened> {
  const ws = openSocket(t, `?ticket=${await ticketFor(t.http, accessToken)}`);
  await ws.hello;
  return ws;
}

/** Asserts the socket is closed with 4401 within a second of `since` (ms epoch). */
export async function expectClosedWithin1s(ws: Opened, since: number): Promise<void> {
  const closed = await ws.closed;
  expect(closed.code).toBe(4401);
  expect(closed.at - since).toBeLessThan(1000);
}
