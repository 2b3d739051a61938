import { aUser } from '../factories/user.factory';
import { expectInvalidToken } from './expectations';
import { Forger, OurKey, readSigningKey } from './jwt-craft';
import { cleanUp, startApp, testEnvironment, TestApp } from './test-app';

/** A running app to attack, with a real session and a forger holding the app's real key. */
export interface Target {
  t: TestApp;
  forge: Forger;
  key: OurKey;
  skew: number;
  tokens: { access_token: string; refresh_token: string; session_id: string };
}

/** Boots the app with `alg` on Redis and opens a real session (register + login). */
export function useTarget(alg: 'RS256' | 'ES256'): () => Target {
  let target: Target | undefined;
  let app: TestApp | undefined;
  beforeAll(async () => {
    app = await startApp(testEnvironment({ JWT_ALGORITHM: alg }));
    const user = aUser();
    expect((await app.http.post('/auth/register', user)).status).toBe(201);
    const login = await app.http.post('/auth/login', {
      username: user.username,
      password: user.password,
    });
    expect(login.status).toBe(200);
    const key = await readSigningKey(app.env.jwt.keysDir, login.body.access_token);
    expect(key.alg).toBe(alg);
    const forge = Forger.fromAccessToken(key, login.body.access_token);
    target = { t: app, forge, key, skew: app.env.jwt.clockSkew, tokens: login.body };
  });
  afterAll(async () => {
    await app?.close();
    if (app) await cleanUp(app.env);
  });
  return () => target as Target;
}

export const me = (x: Target, token: string) => x.t.http.get('/auth/me', { token });

/**
 * 401 invalid_token for `reason`, so a token refused for another reason (a slip in the forgery)
 * fails the test; and nothing of the token, nor a quote, in what comes back (RFC 6750 §3).
 */
export async function expectRefused(x: Target, token: string, reason: string): Promise<void> {
  const response = await me(x, token);
  expectInvalidToken(response);
  const challenge = response.headers.get('www-authenticate') ?? '';
  // error_description is limited to %x20-21 / %x23-5B / %x5D-7E: no quote, no backslash.
  expect(challenge).toMatch(
    /^Bearer error="invalid_token", error_description="[\x20\x21\x23-\x5b\x5d-\x7e]*"$/,
  );
  expect({ challenge, detail: response.body.detail }).toEqual({
    challenge: `Bearer error="invalid_token", error_description="${reason}"`,
    detail: reason,
  });
  for (const part of token.split('.').filter((p) => p.length >= 8)) {
    expect(response.text).not.toContain(part);
  }
}
