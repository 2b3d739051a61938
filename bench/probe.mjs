// Signs in on one instance and calls GET /auth/me with the fresh token on the other, alternating,
// every INTERVAL ms for SECONDS: shows when tokens start carrying the new kid and that no token,
// signed by either instance with either key, is refused by the other. Loopback only; bounded.
// Usage: node bench/probe.mjs <urlA> <urlB> <username> <password> <seconds>
const [urlA, urlB, username, password, seconds] = process.argv.slice(2);
const INTERVAL_MS = 600; // under the login throttle (120 a minute per client IP)
const deadline = Date.now() + Number(seconds) * 1000;
const kidOf = (token) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).kid;

const result = { logins: 0, verified: 0, failures: [], kids: [] };
for (let i = 0; Date.now() < deadline; i++) {
  const [signer, verifier] = i % 2 === 0 ? [urlA, urlB] : [urlB, urlA];
  const login = await fetch(`${signer}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (login.status !== 200) {
    result.failures.push({ at: new Date().toISOString(), step: 'login', status: login.status });
  } else {
    result.logins++;
    const token = (await login.json()).access_token;
    const kid = kidOf(token);
    const last = result.kids[result.kids.length - 1];
    if (last?.kid !== kid) result.kids.push({ kid, firstSeen: new Date().toISOString() });
    const me = await fetch(`${verifier}/auth/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (me.status === 200) result.verified++;
    else result.failures.push({ at: new Date().toISOString(), step: 'me', status: me.status, kid });
  }
  await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
}
console.log(JSON.stringify(result));
