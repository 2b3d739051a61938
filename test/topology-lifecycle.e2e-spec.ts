import {
  expectLogoutAllFlow,
  expectLogoutFlow,
  expectSignInFlow,
  expectSocketClosedOnLogout,
} from './support/flows';
import { describeOnTopologies } from './support/redis-topologies';
import { cleanUp, startApp, testEnvironment, TestApp } from './support/test-app';

/**
 * The whole token lifecycle on two instances of one deployment whose store is a real Redis
 * Sentinel set or Cluster (see .ci/redis-topologies.sh): what one instance does, the other sees.
 */
describeOnTopologies('token lifecycle on two instances', (topology) => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    const env = testEnvironment(topology.appEnv);
    a = await startApp(env);
    b = await startApp(env);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    if (a) await cleanUp(a.env);
  });

  it('registers, signs in, answers /auth/me and refreshes across instances', async () => {
    await expectSignInFlow(a, b);
  });

  it('refuses on one instance what was logged out on the other', async () => {
    await expectLogoutFlow(a, b);
  });

  it('ends every session of the user on logout-all, wherever it started', async () => {
    await expectLogoutAllFlow(a, b);
  });

  it('closes a WebSocket with 4401 within 1 s of a logout on the other instance', async () => {
    await expectSocketClosedOnLogout(a, b, topology.driver);
  });
});
