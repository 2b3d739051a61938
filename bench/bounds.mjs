// The bounds that login and refresh are measured against, each in its own process so it has a
// thread pool and an event loop of its own, exactly as the service does. Prints one JSON line.
//
//   node bench/bounds.mjs argon2 <seconds>
//     argon2 verifications with the service's own parameters (ARGON2_OPTIONS from the build of
//     src/users/password-hasher.ts), UV_THREADPOOL_SIZE of them in flight: what the thread pool
//     can do at most, so the most logins a second one process can answer.
//   node bench/bounds.mjs sign <seconds> <keysDir>
//     access-token signatures, one at a time on one thread (the service signs on its event loop),
//     with jsonwebtoken and a KeyObject of the active key in <keysDir> (the same algorithm and key
//     size), or of JWT_SECRET for HS256: the most refresh rotations a second one process can do.
import { createPrivateKey, createSecretKey, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [mode, seconds, keysDir] = process.argv.slice(2);
const dist = process.env.BENCH_DIST ?? new URL('../dist', import.meta.url).pathname;
// argon2 and jsonwebtoken as the service loads them: from the node_modules beside its build, the
// one installed for the Node running this (bench/lib/node-runtime.mjs).
const require = createRequire(join(dist, 'main.js'));
const durationMs = Number(seconds) * 1000;

async function argon2Bound() {
  const argon2 = require('argon2');
  const { ARGON2_OPTIONS } = require(join(dist, 'users', 'password-hasher.js'));
  const password = `bound-${randomBytes(8).toString('hex')}`;
  const hash = await argon2.hash(password, ARGON2_OPTIONS);
  const inFlight = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  const started = performance.now();
  const deadline = started + durationMs;
  let ops = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      if (!(await argon2.verify(hash, password))) throw new Error('argon2 verify failed');
      ops++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const elapsed = (performance.now() - started) / 1000;
  return { ops, seconds: elapsed, rate: ops / elapsed, inFlight, options: ARGON2_OPTIONS };
}

/** The key the service signs with now: the newest key whose activation time has come. */
function activeKey(dir) {
  const { keys } = JSON.parse(readFileSync(join(dir, 'keyring.json'), 'utf8'));
  const now = Date.now();
  const active = keys
    .filter((k) => Date.parse(k.activatesAt ?? k.createdAt) <= now)
    .sort(
      (a, b) => Date.parse(b.activatesAt ?? b.createdAt) - Date.parse(a.activatesAt ?? a.createdAt),
    )[0];
  if (!active) throw new Error(`no active key in ${dir}`);
  if (active.alg === 'HS256') {
    return { ...active, key: createSecretKey(Buffer.from(process.env.JWT_SECRET ?? '', 'base64')) };
  }
  const pem = readFileSync(join(dir, `${active.kid}.pem`));
  return {
    ...active,
    key: createPrivateKey({ key: pem, passphrase: process.env.JWT_KEYS_PASSPHRASE }),
  };
}

function signBound() {
  const jwt = require('jsonwebtoken');
  const { kid, alg, key } = activeKey(keysDir);
  const header = { alg, typ: 'at+jwt', kid };
  const started = performance.now();
  const deadline = started + durationMs;
  let ops = 0;
  while (performance.now() < deadline) {
    const iat = Math.floor(Date.now() / 1000);
    // The shape of the service's access-token claims (src/tokens/token.service.ts).
    const claims = {
      iss: 'http://127.0.0.1',
      sub: randomUUID(),
      aud: 'tessera-api',
      iat,
      nbf: iat,
      exp: iat + 900,
      jti: randomBytes(16).toString('base64url'),
      sid: randomUUID(),
      roles: ['user'],
      scope: 'profile',
    };
    jwt.sign(claims, key, { algorithm: alg, header });
    ops++;
  }
  const elapsed = (performance.now() - started) / 1000;
  const details = key.asymmetricKeyDetails;
  const keySize = details?.modulusLength
    ? `${details.modulusLength}-bit RSA`
    : (details?.namedCurve ?? `${key.symmetricKeySize * 8}-bit secret`);
  return { ops, seconds: elapsed, rate: ops / elapsed, alg, key: keySize };
}

const result = mode === 'argon2' ? await argon2Bound() : mode === 'sign' ? signBound() : null;
if (!result) {
  console.error('usage: node bench/bounds.mjs argon2 <seconds> | sign <seconds> <keysDir>');
  process.exit(2);
}
console.log(JSON.stringify(result));
