import { setTimeout as sleep } from 'node:timers/promises';
import { credentials, UserInput } from '../factories/user.factory';
import { HttpResponse } from './http';
import { TestApp } from './test-app';

/** One answered (or not: status 0) request of the traffic. */
export interface Sample {
  route: 'me' | 'refresh' | 'login';
  status: number;
  /** When it was sent (ms epoch) and how long the answer took. */
  at: number;
  ms: number;
}

/** No answer within this is a hang (recorded as status 0). */
const HANG_MS = 5000;
const REFRESH_EVERY_MS = 500;
const PAUSE_MS = 20;

type Tokens = { access_token: string; refresh_token: string };

/**
 * Steady traffic of signed-in users against some instances: each user (one worker) calls
 * /auth/me back to back and refreshes every half second; a worker whose refresh was not answered
 * with 200 cannot know whether it rotated, so it signs in again. Every request is recorded.
 */
export class Traffic {
  readonly samples: Sample[] = [];
  private running = true;
  private readonly workers: Promise<void>[];

  constructor(apps: TestApp[], users: UserInput[]) {
    this.workers = users.map((user, i) => this.work(apps[i % apps.length], user));
  }

  /** Whether there were requests in the last `ms`, and every one was answered with 200. */
  calmFor(ms: number): boolean {
    const recent = this.samples.filter((s) => s.at > Date.now() - ms);
    return recent.length > 0 && recent.every((s) => s.status === 200);
  }

  /** Stops the workers and returns every sample, in the order they were sent. */
  async stop(): Promise<Sample[]> {
    this.running = false;
    await Promise.all(this.workers);
    return this.samples.sort((x, y) => x.at - y.at);
  }

  private async work(app: TestApp, user: UserInput): Promise<void> {
    let tokens: Tokens | undefined;
    let refreshedAt = Date.now();
    while (this.running) {
      if (!tokens) {
        const login = await this.send(app, 'login', credentials(user));
        tokens = login?.status === 200 ? (login.body as Tokens) : undefined;
      } else if (Date.now() - refreshedAt > REFRESH_EVERY_MS) {
        refreshedAt = Date.now();
        const body = { refresh_token: tokens.refresh_token };
        const refresh = await this.send(app, 'refresh', body);
        tokens = refresh?.status === 200 ? (refresh.body as Tokens) : undefined;
      } else {
        await this.send(app, 'me', undefined, tokens.access_token);
      }
      await sleep(PAUSE_MS);
    }
  }

  private async send(
    app: TestApp,
    route: Sample['route'],
    body: unknown,
    token?: string,
  ): Promise<HttpResponse | undefined> {
    const at = Date.now();
    const options = { token, timeoutMs: HANG_MS };
    let response: HttpResponse | undefined;
    try {
      response =
        route === 'me'
          ? await app.http.get('/auth/me', options)
          : await app.http.post(`/auth/${route}`, body, options);
    } catch {
      response = undefined; // no answer in time, or the connection failed
    }
    this.samples.push({ route, status: response?.status ?? 0, at, ms: Date.now() - at });
    return response;
  }
}

/** What the traffic saw around `since` (the failure): the 503 window and the recovery. */
export function summarize(samples: Sample[], since: number) {
  const refused = samples.filter((s) => s.status === 503);
  const last503 = refused.at(-1);
  const recovered = samples.find((s) => s.status === 200 && (!last503 || s.at > last503.at));
  return {
    requests: samples.length,
    statuses: [...new Set(samples.map((s) => s.status))].sort(),
    slowestMs: Math.max(0, ...samples.map((s) => s.ms)),
    refused: refused.length,
    /** First to last 503 (ms), 0 without any. */
    windowMs: last503 ? last503.at + last503.ms - refused[0].at : 0,
    /** From `since` to the first 200 after the last 503 was answered. */
    recoveredAfterMs: recovered ? recovered.at + recovered.ms - since : Infinity,
  };
}
