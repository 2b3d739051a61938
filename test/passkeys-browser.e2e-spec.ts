import type { CDPSession, Page } from 'playwright-core';
import { aUser, UserInput } from './factories/user.factory';
import { chromiumAvailability, HeadlessBrowser, launchChromium } from './support/browser';
import { cleanUp, freePort, startApp, TestApp, testEnvironment } from './support/test-app';

/**
 * Issue 11.3's acceptance in a real browser: Debian's chromium with a virtual authenticator
 * (CTAP2, internal, resident keys, user verification), driven by playwright-core on the page
 * the service serves (GET /passkeys/demo). A user signs in with the password, registers a
 * passkey, then signs in with it for real; the session works, says how it was made (amr), is
 * audited, and the passkey is listed, refused once its counter goes back, and removed.
 */
const availability = chromiumAvailability();
if (!availability.run) {
  console.warn(`passkeys-browser.e2e-spec.ts skipped: ${availability.missing}`);
}
const describeInBrowser = availability.run ? describe : describe.skip;

const ADMIN = { email: 'passkey-admin@example.com', password: 'admin-password-for-passkeys' };

describeInBrowser('passkeys in a headless Chromium with a virtual authenticator', () => {
  let browser: HeadlessBrowser;
  let t: TestApp;
  let origin: string;
  let user: UserInput;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId: string;
  let adminToken: string;

  beforeAll(async () => {
    const port = await freePort();
    // WebAuthn binds passkeys to a domain, never an IP address: the page is opened at localhost.
    origin = `http://localhost:${port}`;
    const env = testEnvironment({
      WEBAUTHN_RP_ID: 'localhost',
      WEBAUTHN_ORIGINS: origin,
      BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    });
    t = await startApp(env, { port });
    user = aUser();
    expect((await t.http.post('/auth/register', user)).status).toBe(201);
    const admin = await t.http.post('/auth/login', {
      username: ADMIN.email,
      password: ADMIN.password,
    });
    expect(admin.status).toBe(200);
    adminToken = admin.body.access_token;
    browser = await launchChromium();
    page = await browser.context.newPage();
    cdp = await browser.context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    }));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (t) {
      await t.close();
      await cleanUp(t.env);
    }
  });

  /** Waits until the page's status line passes `ready`, and returns it. */
  async function statusWhen(ready: (status: string) => boolean): Promise<string> {
    for (let waited = 0; waited < 15_000; waited += 50) {
      const status = await page.locator('#status').innerText();
      if (ready(status)) return status;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the page did not answer within 15 s');
  }

  /** Clicks, then waits for the page's status line to change and returns it with the output. */
  async function act(selector: string): Promise<{ status: string; output: any }> {
    const before = await page.locator('#status').innerText();
    await page.locator(selector).click();
    const status = await statusWhen((now) => now !== before);
    const text = await page.locator('#output').innerText();
    return { status, output: text ? JSON.parse(text) : null };
  }

  /** The virtual authenticator's credentials (protocol types, inferred). */
  async function credentials() {
    return (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
  }

  async function auditOf(event: string): Promise<any[]> {
    const query = `/admin/audit?event=${event}&userId=${me.id}`;
    const response = await t.http.get(query, { token: adminToken });
    expect(response.status).toBe(200);
    return response.body.items;
  }

  let me: { id: string };
  let passkeyId: string;

  it('registers a passkey for a user signed in with the password, on the page the service serves', async () => {
    const response = await page.goto(`${origin}/passkeys/demo`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await statusWhen((status) => status === 'Ready');
    await page.locator('#username').fill(user.username);
    await page.locator('#password').fill(user.password);
    const password = await act('#password-login button');
    expect(password.status).toBe('Signed in with your password');
    expect(password.output.amr).toEqual(['pwd']);
    me = { id: password.output.sub };

    await page.locator('#passkey-name').fill('Virtual authenticator');
    const registered = await act('#register button');
    expect(registered.status).toBe('Passkey registered');
    expect(registered.output).toEqual(
      expect.objectContaining({ name: 'Virtual authenticator', lastUsedAt: null }),
    );
    passkeyId = registered.output.id;
    const [credential] = await credentials();
    expect(credential).toEqual(
      expect.objectContaining({ isResidentCredential: true, rpId: 'localhost' }),
    );
    expect(Buffer.from(credential.userHandle ?? '', 'base64').toString('utf8')).toBe(me.id);
    const audited = await auditOf('PASSKEY_REGISTERED');
    expect(audited.map((e) => e.details.passkeyId)).toEqual([passkeyId]);
  }, 60_000);

  it('signs in with the passkey alone (no username), and the session works and says how: amr hwk, user, mfa', async () => {
    await page.reload(); // forgets the password session's token
    await statusWhen((status) => status === 'Ready');
    const signedIn = await act('#passkey-login');
    expect(signedIn.status).toBe('Signed in with a passkey');
    expect(signedIn.output).toEqual(
      expect.objectContaining({ sub: me.id, amr: ['hwk', 'user', 'mfa'], scope: 'profile' }),
    );
    const who = await act('#me');
    expect(who.output).toEqual(
      expect.objectContaining({
        id: me.id,
        username: user.username,
        sessionId: signedIn.output.sid,
      }),
    );
    const logins = await auditOf('LOGIN_SUCCESS');
    expect(logins[0].details).toEqual(
      expect.objectContaining({ method: 'passkey', passkeyId, sessionId: signedIn.output.sid }),
    );
    expect((await credentials())[0].signCount).toBeGreaterThan(0);
  }, 60_000);

  it('lists the passkey with its last use', async () => {
    const listed = await act('#list');
    expect(listed.status).toBe('Your passkeys');
    expect(listed.output).toEqual([
      expect.objectContaining({
        id: passkeyId,
        name: 'Virtual authenticator',
        deviceType: 'singleDevice',
      }),
    ]);
    expect(listed.output[0].lastUsedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  }, 60_000);

  it('refuses and audits a sign-in whose signature counter went back (a cloned authenticator)', async () => {
    const [credential] = await credentials();
    // The same key, as a copy made earlier would hold it: its counter starts again from 0.
    await cdp.send('WebAuthn.removeCredential', {
      authenticatorId,
      credentialId: credential.credentialId,
    });
    await cdp.send('WebAuthn.addCredential', {
      authenticatorId,
      credential: { ...credential, signCount: 0 },
    });
    const refused = await act('#passkey-login');
    expect(refused.status).toMatch(/^Failed: /);
    expect(refused.output.type).toBe('https://tessera.dev/problems/invalid-passkey');
    const regressed = await auditOf('PASSKEY_COUNTER_REGRESSED');
    expect(regressed).toHaveLength(1);
    expect(regressed[0]).toEqual(
      expect.objectContaining({
        severity: 'critical',
        details: expect.objectContaining({ passkeyId }),
      }),
    );
  }, 60_000);

  it('removes the passkey from the list; the authenticator still offers it and is refused', async () => {
    await act('#list');
    const removed = await act(`#passkeys button[data-id="${passkeyId}"]`);
    expect(removed.output).toEqual([]);
    expect(await auditOf('PASSKEY_REMOVED')).toHaveLength(1);
    const refused = await act('#passkey-login');
    expect(refused.status).toMatch(/^Failed: /);
    expect(refused.output.status).toBe(401);
  }, 60_000);
});
