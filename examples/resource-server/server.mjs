// A resource server protected by Tessera: verifies access tokens locally against Tessera's JWKS
// (no shared secret) and asks Tessera's introspection endpoint when it must know about revocation.
// Run: TESSERA_URL=http://localhost:3000 SERVICE_USERNAME=… SERVICE_PASSWORD=… \
//      node examples/resource-server/server.mjs
import { createServer } from 'node:http';
import { createRemoteJWKSet, jwtVerify } from 'jose';

const env = process.env;
const tesseraUrl = (env.TESSERA_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
const config = {
  port: Number(env.PORT ?? 4000),
  host: env.HOST ?? '127.0.0.1',
  // Where tokens come from (`iss`) may differ from where this service reaches Tessera.
  issuer: env.TESSERA_ISSUER ?? tesseraUrl,
  audience: env.TESSERA_AUDIENCE ?? 'tessera-api',
  algorithms: (env.TESSERA_ALGORITHMS ?? 'RS256').split(','),
  // A Tessera account whose tokens may hold scope tokens:introspect (e.g. an admin).
  serviceUsername: env.SERVICE_USERNAME,
  servicePassword: env.SERVICE_PASSWORD,
};

// Fetched once, cached, refetched by jose when a token names a kid it has not seen (key rotation).
const jwks = createRemoteJWKSet(new URL(`${tesseraUrl}/.well-known/jwks.json`));

class Unauthorized extends Error {}

/** The claims of a valid Tessera access token: signature by a published key, and every check. */
async function verifyAccessToken(request) {
  const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(request.headers.authorization ?? '');
  if (!match) throw new Unauthorized('missing bearer token');
  try {
    const { payload } = await jwtVerify(match[1], jwks, {
      issuer: config.issuer,
      audience: config.audience,
      algorithms: config.algorithms, // never let the token choose (`none`, HS256 with a public key)
      typ: 'at+jwt', // RFC 9068: refresh tokens, WebSocket tickets, ID tokens are not access tokens
      clockTolerance: 30,
      requiredClaims: ['sub', 'jti', 'sid', 'exp', 'iat'],
    });
    return { token: match[1], claims: payload };
  } catch {
    throw new Unauthorized('invalid token');
  }
}

let service = null; // { token, exp } of this service's own access token

/** This service's access token with scope tokens:introspect, signed in again before it expires. */
async function serviceToken(forceNew = false) {
  if (!forceNew && service && service.exp - 30 > Date.now() / 1000) return service.token;
  const response = await fetch(`${tesseraUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      username: config.serviceUsername,
      password: config.servicePassword,
      scope: 'tokens:introspect',
    }),
  });
  if (!response.ok) throw new Error(`service login failed with ${response.status}`);
  const body = await response.json();
  service = { token: body.access_token, exp: Date.now() / 1000 + body.expires_in };
  return service.token;
}

/** RFC 7662: is the token still active at Tessera (not revoked, session not ended)? */
async function isActive(token, retried = false) {
  const response = await fetch(`${tesseraUrl}/auth/introspect`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await serviceToken(retried)}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ token }).toString(),
  });
  if (response.status === 401 && !retried) return isActive(token, true);
  if (!response.ok) throw new Error(`introspection failed with ${response.status}`);
  return (await response.json()).active === true;
}

async function handle(request, response) {
  const url = new URL(request.url ?? '/', 'http://resource.invalid');
  if (request.method !== 'GET' || url.pathname !== '/hello')
    return send(response, 404, { error: 'not_found' });
  const { token, claims } = await verifyAccessToken(request);
  // Strict: the signature says who issued the token, not whether it was revoked since. Ask.
  const strict = url.searchParams.get('strict') === '1';
  if (strict && !(await isActive(token))) throw new Unauthorized('token revoked');
  send(response, 200, { message: 'hello', userId: claims.sub, scope: claims.scope, strict });
}

function send(response, status, body, headers = {}) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

const server = createServer((request, response) => {
  handle(request, response).catch((error) => {
    if (error instanceof Unauthorized) {
      const challenge = `Bearer error="invalid_token", error_description="${error.message}"`;
      return send(response, 401, { error: 'invalid_token' }, { 'www-authenticate': challenge });
    }
    // Tessera unreachable or failing: a strict route fails closed.
    console.error(error.message);
    send(response, 503, { error: 'temporarily_unavailable' });
  });
});

server.listen(config.port, config.host, () => {
  const { port } = server.address();
  console.log(`resource server listening on http://${config.host}:${port}`);
});

for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => server.close(() => process.exit(0)));
