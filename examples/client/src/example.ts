import { SignInRequired, TesseraClient, type TokenResponse } from './tessera-client.js';

/*
 * Runs the typed client against a Tessera:
 *   TESSERA_URL=http://localhost:3000 TESSERA_USERNAME=ada TESSERA_PASSWORD='…' npm start
 * Signs in, reads /auth/me, then shows the refresh rules with access tokens that Tessera refuses
 * (an expired token is what a real client meets; a broken signature stands in for one here, so
 * the example need not wait JWT_ACCESS_TTL): one refresh and one retry, one refresh shared by
 * concurrent requests, and no retry at all once the session has ended.
 */
const CONCURRENT = 5;

function setting(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`set ${name}`);
  return value;
}

/** The same tokens, but an access token Tessera refuses with 401 `invalid-token`. */
function withRefusedAccessToken(tokens: TokenResponse): TokenResponse {
  const [header, payload] = tokens.access_token.split('.');
  return { ...tokens, access_token: `${header}.${payload}.${'A'.repeat(43)}` };
}

async function main(): Promise<void> {
  const client = new TesseraClient(setting('TESSERA_URL', 'http://localhost:3000'));
  const session = await client.login(setting('TESSERA_USERNAME'), setting('TESSERA_PASSWORD'));
  console.log(`signed in: session ${session.session_id}, scope "${session.scope}"`);

  const me = await client.me();
  console.log(`GET /auth/me: ${me.username} (${me.id}), roles ${me.roles.join(',')}`);

  client.restore(withRefusedAccessToken(session));
  const again = await client.me();
  console.log(
    `401, one refresh, one retry: ${again.username}; refreshes so far ${client.refreshes}`,
  );

  client.restore(withRefusedAccessToken(client.tokens ?? session));
  const answers = await Promise.all(Array.from({ length: CONCURRENT }, () => client.me()));
  console.log(
    `${answers.length} concurrent requests, each 401 first, shared one refresh: ` +
      `${answers.length} answers; refreshes so far ${client.refreshes}`,
  );

  const beforeLogout = client.tokens;
  await client.logout();
  console.log('logged out');
  if (beforeLogout) client.restore(beforeLogout);
  try {
    await client.me();
    throw new Error('a token of an ended session was accepted');
  } catch (error) {
    if (!(error instanceof SignInRequired)) throw error;
    console.log(`after logout: ${error.message}; refreshes so far ${client.refreshes}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
