import { validateEnv } from '../src/config/env.validation';
import { aUser } from './factories/user.factory';
import { expectInvalidToken, expectProblem } from './support/expectations';
import { cleanUp, startApp, testEnvironment } from './support/test-app';

describe('a restart on the same Redis and keys dir', () => {
  const environment = testEnvironment();

  afterAll(async () => {
    await cleanUp(validateEnv(environment));
  });

  it('keeps users, refreshable sessions and revocations', async () => {
    const first = await startApp(environment);
    const user = aUser();
    expect((await first.http.post('/auth/register', user)).status).toBe(201);
    const kept = (
      await first.http.post('/auth/login', { username: user.username, password: user.password })
    ).body;
    const revoked = (
      await first.http.post('/auth/login', { username: user.username, password: user.password })
    ).body;
    expect(
      (await first.http.post('/auth/logout', undefined, { token: revoked.access_token })).status,
    ).toBe(204);
    await first.close();

    const second = await startApp(environment);
    try {
      // The same key signs and verifies: the access token from before the restart still works.
      expect((await second.http.get('/auth/me', { token: kept.access_token })).status).toBe(200);
      const refreshed = await second.http.post('/auth/refresh', {
        refresh_token: kept.refresh_token,
      });
      expect(refreshed.status).toBe(200);
      expectInvalidToken(await second.http.get('/auth/me', { token: revoked.access_token }));
      expectProblem(
        await second.http.post('/auth/refresh', { refresh_token: revoked.refresh_token }),
        401,
      );
      expect(
        (await second.http.post('/auth/login', { username: user.email, password: user.password }))
          .status,
      ).toBe(200);
    } finally {
      await second.close();
    }
  });
});
