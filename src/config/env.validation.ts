import {
  bool,
  email,
  EnvError,
  EnvErrorCollector,
  hostPorts,
  int,
  key32,
  list,
  oneOf,
  origins,
  raw,
  RawEnv,
  str,
  url,
} from './env.parsers';
import { PasswordPolicy } from '../users/password-policy';
import { refuseUnsafeProduction } from './env.production';
import { mailEnv, MailEnv } from './env.mail';
import { mfaEnv, MfaEnv } from './env.mfa';
import { passkeysEnv, PasskeysEnv } from './env.passkeys';
import { dpopEnv, DpopEnv } from './env.dpop';

/** pino's levels, most severe first; `silent` writes nothing. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const JWT_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'HS256'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export type StoreDriver =
  | { kind: 'memory' }
  | { kind: 'redis'; mode: 'standalone'; url: string }
  | { kind: 'redis'; mode: 'sentinel'; sentinels: { host: string; port: number }[]; name: string }
  | { kind: 'redis'; mode: 'cluster'; nodes: { host: string; port: number }[] };

/** The whole validated configuration, grouped by concern (see the registerAs namespaces). */
export interface Env {
  app: {
    nodeEnv: 'development' | 'production' | 'test';
    production: boolean;
    port: number;
    host: string;
    /**
     * Which proxies may speak for the client in X-Forwarded-For/-Proto: `false` (none), a hop
     * count (`true` = 1: only the proxy directly in front of us), or their addresses/CIDRs.
     */
    trustProxy: false | number | string[];
    corsOrigins: string[];
    cookieSecure: boolean;
    registration: 'open' | 'closed';
    /** Swagger UI at /docs and the document at /docs-json; off: both 404, nothing is built. */
    docsEnabled: boolean;
    /**
     * Human-readable log lines (pino-pretty) when stdout is a terminal: development only, and
     * LOG_PRETTY=false turns it off there too. Never in production or tests.
     */
    logPretty: boolean;
    /**
     * LOG_LEVEL: the least severe level written. Unset: `info` (tests: silent unless a test reads
     * the lines).
     */
    logLevel: LogLevel | undefined;
    /**
     * LOG_REQUESTS: one line per finished request (default). `false`: only requests answered 5xx
     * get one (at error), for a platform whose proxy writes the access log already.
     */
    logRequests: boolean;
    bootstrapAdmin: { email: string; username: string; password: string } | null;
  };
  store: { driver: StoreDriver; keyPrefix: string };
  jwt: {
    issuer: string;
    audience: string;
    algorithm: JwtAlgorithm;
    rsaBits: 2048 | 3072 | 4096;
    keysDir: string;
    keysPassphrase: string | null;
    secret: Buffer | null;
    accessTtl: number;
    refreshTtl: number;
    clockSkew: number;
    /** Verified access tokens kept to skip re-verification (0: no cache). */
    tokenCacheSize: number;
  };
  security: {
    loginMaxFailures: number;
    loginLockSeconds: number;
    loginIpMaxFailures: number;
    /** Live sessions per user; a login beyond it ends the least recently used one. */
    maxSessionsPerUser: number;
    /**
     * Seconds during which a retired refresh token presented again by the client that used it
     * gets that use's answer instead of ending the session (0: never, the strict rule).
     */
    refreshReuseGraceSeconds: number;
    /**
     * REFRESH_GRACE_KEY: the server's part of the key that seals a grace answer in the store
     * (with the used refresh token's secret), so a copy of the store and an old token do not
     * open it. Null outside production when unset: a development key file in JWT_KEYS_DIR.
     */
    refreshGraceKey: Buffer | null;
  };
  /** Open WebSockets per session and per user, counted over every instance. */
  ws: { maxSocketsPerSession: number; maxSocketsPerUser: number };
  mail: MailEnv;
  mfa: MfaEnv;
  passkeys: PasskeysEnv;
  dpop: DpopEnv;
}

function storeDriver(env: RawEnv): StoreDriver {
  const sentinels = hostPorts(env, 'REDIS_SENTINELS');
  const nodes = hostPorts(env, 'REDIS_CLUSTER_NODES');
  const urlSet = raw(env, 'REDIS_URL') !== undefined;
  if ([urlSet, sentinels.length > 0, nodes.length > 0].filter(Boolean).length > 1) {
    throw new EnvError('REDIS_URL', 'conflicts with REDIS_SENTINELS/REDIS_CLUSTER_NODES: set one');
  }
  if (sentinels.length > 0) {
    const name = raw(env, 'REDIS_SENTINEL_NAME');
    if (!name) throw new EnvError('REDIS_SENTINEL_NAME', 'is required with REDIS_SENTINELS');
    return { kind: 'redis', mode: 'sentinel', sentinels, name };
  }
  if (nodes.length > 0) return { kind: 'redis', mode: 'cluster', nodes };
  if (urlSet)
    return { kind: 'redis', mode: 'standalone', url: url(env, 'REDIS_URL', ['redis:', 'rediss:']) };
  return { kind: 'memory' };
}

function jwtSecret(env: RawEnv, algorithm: JwtAlgorithm): Buffer | null {
  const value = raw(env, 'JWT_SECRET');
  if (algorithm !== 'HS256') return null;
  if (value === undefined) throw new EnvError('JWT_SECRET', 'is required with JWT_ALGORITHM=HS256');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) throw new EnvError('JWT_SECRET', 'must be base64');
  const secret = Buffer.from(value, 'base64');
  if (secret.length < 32) throw new EnvError('JWT_SECRET', 'must hold at least 32 bytes (base64)');
  return secret;
}

function bootstrapAdmin(env: RawEnv): Env['app']['bootstrapAdmin'] {
  const adminEmail = email(env, 'BOOTSTRAP_ADMIN_EMAIL');
  const password = raw(env, 'BOOTSTRAP_ADMIN_PASSWORD');
  if (!adminEmail && !password) return null;
  if (!adminEmail)
    throw new EnvError('BOOTSTRAP_ADMIN_EMAIL', 'is required with BOOTSTRAP_ADMIN_PASSWORD');
  if (!password)
    throw new EnvError('BOOTSTRAP_ADMIN_PASSWORD', 'is required with BOOTSTRAP_ADMIN_EMAIL');
  const username = str(env, 'BOOTSTRAP_ADMIN_USERNAME', adminEmail.split('@')[0]);
  if (!/^[a-zA-Z0-9_.-]{3,32}$/.test(username)) {
    throw new EnvError('BOOTSTRAP_ADMIN_USERNAME', 'must be 3-32 of a-z A-Z 0-9 _ . -');
  }
  // The policy every password passes, checked here so a weak one stops start-up with this line
  // instead of failing the admin's creation later with a stack trace. Its messages never repeat
  // the password.
  const problem = new PasswordPolicy().problem(password, { email: adminEmail, username });
  if (problem)
    throw new EnvError('BOOTSTRAP_ADMIN_PASSWORD', `fails the password policy: ${problem}`);
  return { email: adminEmail, username, password };
}

/**
 * TRUST_PROXY. `true` means one hop, never "every address in the header": the leftmost
 * X-Forwarded-For entries are whatever the client wrote, so trusting them all would let anyone
 * pick the IP that brute-force counters and rate limits see (and lock out someone else's IP).
 */
function trustProxy(env: RawEnv): false | number | string[] {
  const value = raw(env, 'TRUST_PROXY');
  if (value === undefined) return false;
  if (/^\d{1,2}$/.test(value)) return Number(value) === 0 ? false : Number(value);
  if (/[.:/]/.test(value)) return list(env, 'TRUST_PROXY');
  const flag = value.toLowerCase();
  if (flag === 'true') return 1;
  if (flag === 'false') return false;
  throw new EnvError('TRUST_PROXY', 'must be true, false, a hop count or proxy addresses/CIDRs');
}

function wsLimits(env: RawEnv, check: EnvErrorCollector['check']): Env['ws'] {
  const maxSocketsPerUser = check(() => int(env, 'WS_MAX_SOCKETS_PER_USER', 20, 1, 1000));
  const maxSocketsPerSession = check(() => int(env, 'WS_MAX_SOCKETS_PER_SESSION', 5, 1, 1000));
  if (maxSocketsPerSession > maxSocketsPerUser) {
    check(() => {
      throw new EnvError('WS_MAX_SOCKETS_PER_SESSION', 'must not exceed WS_MAX_SOCKETS_PER_USER');
    });
  }
  return { maxSocketsPerSession, maxSocketsPerUser };
}

/**
 * Validates the environment once, at boot. Throws EnvErrors naming every bad variable, one line
 * each, so a broken deployment is fixed in one round instead of one per variable.
 */
export function validateEnv(env: RawEnv): Env {
  const errors = new EnvErrorCollector();
  const ok = errors.check;
  const nodeEnv = ok<Env['app']['nodeEnv']>(() =>
    oneOf(env, 'NODE_ENV', ['development', 'production', 'test'], 'development'),
  );
  const algorithm = ok(() => oneOf(env, 'JWT_ALGORITHM', JWT_ALGORITHMS, 'RS256'));
  const rsaBits = ok(() => oneOf(env, 'JWT_RSA_BITS', ['2048', '3072', '4096'], '2048'));
  const result: Env = {
    app: {
      nodeEnv,
      production: nodeEnv === 'production',
      port: ok(() => int(env, 'PORT', 3000, 0, 65535)),
      host: str(env, 'HOST', '0.0.0.0'),
      trustProxy: ok(() => trustProxy(env)),
      corsOrigins: ok(() => origins(env, 'CORS_ORIGINS')),
      cookieSecure: ok(() => bool(env, 'COOKIE_SECURE', true)),
      registration: ok(() => oneOf(env, 'REGISTRATION', ['open', 'closed'], 'open')),
      bootstrapAdmin: ok(() => bootstrapAdmin(env)),
      // Off by default in production: the document maps every route for whoever asks.
      docsEnabled: ok(() => bool(env, 'DOCS_ENABLED', nodeEnv !== 'production')),
      logPretty: ok(() => bool(env, 'LOG_PRETTY', true)) && nodeEnv === 'development',
      logLevel:
        raw(env, 'LOG_LEVEL') === undefined
          ? undefined
          : ok(() => oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info')),
      logRequests: ok(() => bool(env, 'LOG_REQUESTS', true)),
    },
    store: {
      driver: ok(() => storeDriver(env)),
      keyPrefix: str(env, 'REDIS_KEY_PREFIX', 'tessera:'),
    },
    jwt: {
      issuer: ok(() => url(env, 'JWT_ISSUER', ['http:', 'https:'], 'http://localhost:3000')),
      audience: str(env, 'JWT_AUDIENCE', 'tessera-api'),
      algorithm,
      rsaBits: Number(rsaBits) as 2048 | 3072 | 4096,
      keysDir: str(env, 'JWT_KEYS_DIR', './keys'),
      keysPassphrase: raw(env, 'JWT_KEYS_PASSPHRASE') ?? null,
      secret: ok(() => jwtSecret(env, algorithm)),
      accessTtl: ok(() => int(env, 'JWT_ACCESS_TTL', 900, 30, 86_400)),
      refreshTtl: ok(() => int(env, 'JWT_REFRESH_TTL', 604_800, 60, 31_536_000)),
      clockSkew: ok(() => int(env, 'JWT_CLOCK_SKEW', 30, 0, 300)),
      tokenCacheSize: ok(() => int(env, 'TOKEN_CACHE_SIZE', 10_000, 0, 1_000_000)),
    },
    security: {
      loginMaxFailures: ok(() => int(env, 'LOGIN_MAX_FAILURES', 5, 1, 1000)),
      loginLockSeconds: ok(() => int(env, 'LOGIN_LOCK_SECONDS', 900, 1, 86_400)),
      loginIpMaxFailures: ok(() => int(env, 'LOGIN_IP_MAX_FAILURES', 100, 1, 1_000_000)),
      maxSessionsPerUser: ok(() => int(env, 'MAX_SESSIONS_PER_USER', 50, 1, 1000)),
      refreshReuseGraceSeconds: ok(() => int(env, 'REFRESH_REUSE_GRACE_SECONDS', 0, 0, 60)),
      refreshGraceKey: ok(() => key32('REFRESH_GRACE_KEY', raw(env, 'REFRESH_GRACE_KEY'))),
    },
    ws: wsLimits(env, ok),
    mail: mailEnv(env, ok),
    mfa: mfaEnv(env, ok),
    passkeys: passkeysEnv(env, ok),
    dpop: dpopEnv(env, ok),
  };
  refuseUnsafeProduction(result, ok);
  errors.throwIfAny();
  return result;
}
