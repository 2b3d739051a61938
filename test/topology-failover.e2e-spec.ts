import { setTimeout as sleep } from 'node:timers/promises';
import { expectInvalidToken, expectProblem } from './support/expectations';
import { expectEveryFlow } from './support/flows';
import { LogCapture } from './support/log-capture';
import {
  describeOnTopologies,
  killServer,
  reviveServer,
  Topology,
} from './support/redis-topologies';
import { cleanUp, startApp, testEnvironment, TestApp } from './support/test-app';
import { summarize, Traffic } from './support/traffic';
import { until } from './support/wait';
import { login, signIn } from './support/ws-client';

/** Failover must be over, and every request answered with 200 again, within this. */
const RECOVERY_MS = 20_000;
/** "Never a hang": the slowest answer during the failover, 503s included (the contract's 1 s). */
const SLOWEST_MS = 1000;

type Session = Awaited<ReturnType<typeof login>>;

/**
 * SIGKILL of the master (Sentinel) or of one master (Cluster) while two instances serve steady
 * traffic: 503 at most while Redis fails over (never a 500, never a hang), then every flow works,
 * and what was revoked before stays revoked. The killed server belongs to the topologies that
 * .ci/redis-topologies.sh started; it is started again (as a replica) afterwards.
 */
describeOnTopologies('failover of a master under traffic', (topology) => {
  let a: TestApp;
  let b: TestApp;
  let killed: number | undefined;
  const logs = new LogCapture();

  beforeAll(async () => {
    const env = testEnvironment(topology.appEnv);
    a = await startApp(env, { logDestination: logs.stream });
    b = await startApp(env, { logDestination: logs.stream });
  });

  afterAll(async () => {
    if (killed !== undefined) await reviveServer(killed);
    await a?.close();
    await b?.close();
    if (a) await cleanUp(a.env);
  }, 60_000);

  /** Signed-in users whose keys live on `master` (on a Cluster, about one in three does). */
  async function usersOn(master: number, count: number): Promise<Session[]> {
    const found: Session[] = [];
    for (let i = 0; i < 10 * count && found.length < count; i++) {
      const session = await login(a.http);
      const userKey = `${a.env.store.keyPrefix}{u:${session.userId}}:gen`;
      if ((await topology.masterOf(userKey)) === master) found.push(session);
    }
    expect(found).toHaveLength(count);
    return found;
  }

  it('answers 503 at most, then every flow works, and nothing revoked comes back', async () => {
    // The master of the user directory: logins and registrations need it, as does every
    // session of the users picked here.
    const master = await topology.masterOf(`${a.env.store.keyPrefix}{users}:all`);
    const [one, two, ...victims] = await usersOn(master, 6);
    const revoked = await revokeEachWay(victims);

    const traffic = new Traffic([a, b], [one.user, two.user]);
    await sleep(500);
    const killedAt = Date.now();
    killed = master;
    await killServer(master);
    await until(
      'every request answered with 200 for 1.5 s',
      () => Date.now() - killedAt > 1500 && traffic.calmFor(1500),
      RECOVERY_MS,
    );
    const seen = summarize(await traffic.stop(), killedAt);
    report(topology, seen);

    expect(seen.statuses.filter((status) => status !== 200 && status !== 503)).toEqual([]);
    expect(unexpectedErrors(logs)).toEqual([]);
    expect(seen.slowestMs).toBeLessThan(SLOWEST_MS);
    expect(await topology.masterOf(`${a.env.store.keyPrefix}{users}:all`)).not.toBe(master);
    await expectStillRevoked(revoked);
    await expectEveryFlow(a, b, topology.driver);
  }, 60_000);

  /** Ends sessions in each way there is, before the failover; returns what must stay refused. */
  async function revokeEachWay([loggedOut, allOut, tokenRevoked, rotated]: Session[]) {
    const access = (s: Session) => ({ token: s.tokens.access_token });
    expect((await a.http.post('/auth/logout', undefined, access(loggedOut))).status).toBe(204);
    const second = await signIn(b.http, allOut.user);
    const all = await b.http.post('/auth/logout-all', undefined, { token: second.access_token });
    expect(all.status).toBe(204);
    const revoke = await a.http.post('/auth/revoke', { token: tokenRevoked.tokens.access_token });
    expect(revoke.status).toBe(200);
    const refresh = { refresh_token: rotated.tokens.refresh_token };
    expect((await b.http.post('/auth/refresh', refresh)).status).toBe(200);
    // logout-all ended both sessions of its user, the one it was called from too
    const ended = [loggedOut.tokens, allOut.tokens, second];
    return {
      accessTokens: [...ended.map((t) => t.access_token), tokenRevoked.tokens.access_token],
      refreshTokens: [...ended.map((t) => t.refresh_token), rotated.tokens.refresh_token],
    };
  }

  async function expectStillRevoked(revoked: Awaited<ReturnType<typeof revokeEachWay>>) {
    for (const token of revoked.accessTokens) {
      expectInvalidToken(await a.http.get('/auth/me', { token }));
    }
    for (const refresh_token of revoked.refreshTokens) {
      expectProblem(await b.http.post('/auth/refresh', { refresh_token }), 401);
    }
  }
});

/** The measured failover, in the test log (CI keeps it). */
function report(topology: Topology, seen: ReturnType<typeof summarize>): void {
  process.stdout.write(
    `${topology.name} failover: ${seen.requests} requests, statuses ${seen.statuses.join('/')}, ` +
      `${seen.refused} answered 503 over ${seen.windowMs} ms, all 200 again ` +
      `${seen.recoveredAfterMs} ms after SIGKILL, slowest answer ${seen.slowestMs} ms\n`,
  );
}

/** What the catch-all filter logged as unexpected (each a 500): an outage must never be one. */
function unexpectedErrors(logs: LogCapture): string[] {
  return logs.text
    .split('\n')
    .filter((line) => line.includes('"context":"Errors"'))
    .map((line) => String((JSON.parse(line) as { msg?: unknown }).msg));
}
