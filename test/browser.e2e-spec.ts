import { Locator, Page } from 'playwright-core';
import { aUser, credentials, UserInput } from './factories/user.factory';
import {
  chromiumAvailability,
  HeadlessBrowser,
  launchChromium,
  PageServer,
  servePage,
} from './support/browser';
import { LogCapture } from './support/log-capture';
import { cleanUp, startApp, TestApp, testEnvironment } from './support/test-app';
import { signIn } from './support/ws-client';

/**
 * The issue-9 acceptance, in a real browser (Debian's chromium driven by playwright-core): a
 * person uses Swagger UI at /docs (login, Authorize, /auth/me), and a web app on an allowed
 * origin ends a session with DELETE through the browser's own CORS preflight, which a page on
 * any other origin cannot.
 */
const availability = chromiumAvailability();
if (!availability.run) {
  console.warn(`browser.e2e-spec.ts skipped: ${availability.missing}`);
}
const describeInBrowser = availability.run ? describe : describe.skip;

/** The web app's script: what a single-page app on another origin does with the API. */
const WEB_APP = `<!doctype html>
<title>web app</title>
<script>
  window.tessera = {
    async login(base, username, password) {
      const response = await fetch(base + '/auth/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      return { status: response.status, body: await response.json() };
    },
    async endSession(base, token, id) {
      const response = await fetch(base + '/auth/sessions/' + id, {
        method: 'DELETE',
        headers: { Authorization: 'Bearer ' + token },
      });
      return { status: response.status };
    },
  };
</script>`;

type WebApp = {
  tessera: {
    login(base: string, username: string, password: string): Promise<{ status: number; body: any }>;
    endSession(base: string, token: string, id: string): Promise<{ status: number }>;
  };
};

/** An operation of Swagger UI by method and path (not by tag or operationId, which may change). */
function operation(page: Page, method: string, path: string): Locator {
  return page.locator(`.opblock.opblock-${method}`, {
    has: page.locator(`.opblock-summary-path[data-path="${path}"]`),
  });
}

/** Expands the operation, presses "Try it out", fills the JSON body if any, and executes it. */
async function tryItOut(op: Locator, body?: unknown): Promise<{ status: number; body: any }> {
  await op.locator('.opblock-summary').first().click();
  await op.locator('button.try-out__btn').click();
  if (body !== undefined) await op.locator('textarea.body-param__text').fill(JSON.stringify(body));
  await op.locator('button.execute').click();
  const live = op.locator('.live-responses-table .response');
  await live.first().waitFor();
  const status = Number(await live.locator('.response-col_status').first().innerText());
  const text = await live.locator('.response-col_description pre').first().innerText();
  return { status, body: JSON.parse(text) };
}

describeInBrowser('in a headless Chromium', () => {
  const logs = new LogCapture();
  let browser: HeadlessBrowser;
  let allowed: PageServer;
  let refused: PageServer;
  let t: TestApp;
  let user: UserInput;

  beforeAll(async () => {
    [allowed, refused] = await Promise.all([servePage(WEB_APP), servePage(WEB_APP)]);
    t = await startApp(testEnvironment({ CORS_ORIGINS: allowed.origin }), {
      logDestination: logs.stream,
    });
    user = aUser();
    expect((await t.http.post('/auth/register', user)).status).toBe(201);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([allowed?.close(), refused?.close()]);
    if (t) {
      await t.close();
      await cleanUp(t.env);
    }
  });

  it('signs in with Swagger UI at /docs, authorizes with the access token and reads /auth/me', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${t.http.baseUrl}/docs`);

    const login = await tryItOut(operation(page, 'post', '/auth/login'), credentials(user));
    expect(login.status).toBe(200);
    const token = login.body.access_token as string;
    expect(token.split('.')).toHaveLength(3);

    await page.locator('.scheme-container button.authorize').click();
    const dialog = page.locator('.modal-ux');
    await dialog.locator('input').first().fill(token);
    await dialog.locator('button.authorize').click();
    await dialog.locator('button.btn-done').click();

    const me = await tryItOut(operation(page, 'get', '/auth/me'));
    expect(me.status).toBe(200);
    expect(me.body).toEqual(
      expect.objectContaining({ username: user.username, email: user.email }),
    );
    await page.close();
  }, 60_000);

  it('lets a page on an allowed origin log in and end a session with DELETE through the preflight', async () => {
    const other = await signIn(t.http, user); // the session that watches
    const page = await browser.context.newPage();
    await page.goto(allowed.origin);
    const { status, body } = await page.evaluate(
      ([base, name, password]) =>
        (globalThis as unknown as WebApp).tessera.login(base, name, password),
      [t.http.baseUrl, user.username, user.password],
    );
    expect(status).toBe(200);
    const ended = await page.evaluate(
      ([base, token, id]) => (globalThis as unknown as WebApp).tessera.endSession(base, token, id),
      [t.http.baseUrl, body.access_token as string, body.session_id as string],
    );
    expect(ended.status).toBe(204);
    // The browser asked first: DELETE with Authorization is not a simple request.
    expect(preflights(logs, `/auth/sessions/${body.session_id}`)).toEqual([204]);
    // The session is gone: its token is refused and the user's list no longer has it.
    expect((await t.http.get('/auth/me', { token: body.access_token })).status).toBe(401);
    const sessions = await t.http.get('/auth/sessions', { token: other.access_token });
    expect(sessions.status).toBe(200);
    expect(JSON.stringify(sessions.body)).not.toContain(body.session_id);
    await page.close();
  }, 60_000);

  it('blocks the same page on a refused origin: the fetch rejects and the session lives on', async () => {
    const victim = await signIn(t.http, user);
    const page = await browser.context.newPage();
    await page.goto(refused.origin);
    const outcome = await page.evaluate(
      ([base, token, id]) =>
        (globalThis as unknown as WebApp).tessera
          .endSession(base, token, id)
          .then((r) => `answered ${r.status}`)
          .catch((error: Error) => `rejected: ${error.name}`),
      [t.http.baseUrl, victim.access_token, victim.session_id],
    );
    expect(outcome).toBe('rejected: TypeError');
    // The preflight got no CORS headers, so the browser never sent the DELETE.
    expect(requests(logs, 'DELETE', `/auth/sessions/${victim.session_id}`)).toEqual([]);
    expect((await t.http.get('/auth/me', { token: victim.access_token })).status).toBe(200);
    await page.close();
  }, 60_000);
});

interface RequestLine {
  req?: { method?: string; url?: string };
  res?: { statusCode?: number };
}

/** The statuses of the requests Tessera logged for `method url`. */
function requests(logs: LogCapture, method: string, url: string): number[] {
  return logs.text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as RequestLine)
    .filter((line) => line.req?.method === method && line.req.url === url)
    .map((line) => line.res?.statusCode ?? 0);
}

function preflights(logs: LogCapture, url: string): number[] {
  return requests(logs, 'OPTIONS', url);
}
