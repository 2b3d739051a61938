import { EnvErrors } from './env.parsers';
import { validateEnv } from './env.validation';

const PRODUCTION = {
  NODE_ENV: 'production',
  REDIS_URL: 'redis://r:6379',
  JWT_ISSUER: 'https://auth.example.com',
  SMTP_URL: 'smtps://mailer:secret@smtp.example.com',
  MAIL_FROM: 'Tessera <no-reply@example.com>',
  APP_URL: 'https://app.example.com',
  MFA_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
  WEBAUTHN_RP_ID: 'example.com',
  WEBAUTHN_ORIGINS: 'https://app.example.com,https://example.com',
};

function errorOf(env: Record<string, string>): string {
  try {
    validateEnv(env);
  } catch (error) {
    if (error instanceof EnvErrors) return error.message;
    throw error;
  }
  throw new Error('expected EnvErrors');
}

describe('validateEnv', () => {
  it('applies the contract defaults to an empty environment', () => {
    const env = validateEnv({});
    expect(env.app).toEqual(
      expect.objectContaining({
        port: 3000,
        host: '0.0.0.0',
        cookieSecure: true,
        registration: 'open',
        trustProxy: false,
      }),
    );
    expect(env.store).toEqual({ driver: { kind: 'memory' }, keyPrefix: 'tessera:' });
    expect(env.jwt).toEqual(
      expect.objectContaining({
        issuer: 'http://localhost:3000',
        audience: 'tessera-api',
        algorithm: 'RS256',
        rsaBits: 2048,
        accessTtl: 900,
        refreshTtl: 604800,
        clockSkew: 30,
      }),
    );
    expect(env.security).toEqual({
      loginMaxFailures: 5,
      loginLockSeconds: 900,
      loginIpMaxFailures: 100,
      maxSessionsPerUser: 50,
      refreshReuseGraceSeconds: 0,
      refreshGraceKey: null,
    });
  });

  it.each([
    [{ PORT: 'abc' }, /^PORT must be a whole number/],
    [{ PORT: '70000' }, /^PORT must be a whole number/],
    [{ JWT_ALGORITHM: 'none' }, /^JWT_ALGORITHM must be one of RS256, PS256, ES256, HS256$/],
    [{ JWT_ALGORITHM: 'HS256' }, /^JWT_SECRET is required/],
    [
      { JWT_ALGORITHM: 'HS256', JWT_SECRET: Buffer.alloc(16).toString('base64') },
      /^JWT_SECRET must hold at least 32 bytes/,
    ],
    [{ REDIS_URL: 'http://example.com' }, /^REDIS_URL must be a URL/],
    [{ REDIS_SENTINELS: 'a:1' }, /^REDIS_SENTINEL_NAME is required/],
    [{ REDIS_CLUSTER_NODES: 'nohost' }, /^REDIS_CLUSTER_NODES must be a comma-separated list/],
    [{ COOKIE_SECURE: 'maybe' }, /^COOKIE_SECURE must be true or false$/],
    [{ CORS_ORIGINS: 'not a url' }, /^CORS_ORIGINS must be/],
    [{ JWT_RSA_BITS: '1024' }, /^JWT_RSA_BITS must be one of 2048, 3072, 4096$/],
    [{ BOOTSTRAP_ADMIN_EMAIL: 'a@b.co' }, /^BOOTSTRAP_ADMIN_PASSWORD is required/],
    [{ REFRESH_REUSE_GRACE_SECONDS: '61' }, /^REFRESH_REUSE_GRACE_SECONDS must be a whole number/],
    [{ REFRESH_REUSE_GRACE_SECONDS: '-1' }, /^REFRESH_REUSE_GRACE_SECONDS must be a whole number/],
  ])('rejects %j with one line naming the variable', (env, message) => {
    const error = errorOf(env);
    expect(error).toMatch(message);
    expect(error).not.toContain('\n');
  });

  it('never repeats the bad value in the message', () => {
    expect(errorOf({ JWT_ALGORITHM: 'HS256', JWT_SECRET: 'c2hvcnQtc2VjcmV0' })).not.toContain(
      'c2hvcnQtc2VjcmV0',
    );
  });

  it('refuses the memory store and insecure cookies in production', () => {
    expect(errorOf({ ...PRODUCTION, REDIS_URL: '' })).toMatch(
      /^REDIS_URL is required in production/,
    );
    expect(errorOf({ ...PRODUCTION, COOKIE_SECURE: 'false' })).toMatch(
      /^COOKIE_SECURE must be true/,
    );
  });

  it.each([{}, { JWT_ISSUER: 'http://localhost:3000' }])(
    'refuses the development issuer in production (%j), in one line naming JWT_ISSUER',
    (issuer) => {
      expect(errorOf({ ...PRODUCTION, JWT_ISSUER: '', ...issuer })).toBe(
        'JWT_ISSUER must be the public URL of the service in production, not http://localhost:3000',
      );
    },
  );

  it('accepts a production environment with a public issuer', () => {
    expect(validateEnv(PRODUCTION).jwt.issuer).toBe('https://auth.example.com');
  });

  it('reports every bad variable at once, one line each, in the order of the tables', () => {
    const lines = errorOf({
      NODE_ENV: 'production',
      PORT: 'abc',
      JWT_ACCESS_TTL: '5',
      WS_MAX_SOCKETS_PER_USER: 'many',
    }).split('\n');
    expect(lines).toEqual([
      'PORT must be a whole number from 0 to 65535',
      'JWT_ACCESS_TTL must be a whole number from 30 to 86400',
      'WS_MAX_SOCKETS_PER_USER must be a whole number from 1 to 1000',
      'REDIS_URL is required in production (the memory store is single-process)',
      'JWT_ISSUER must be the public URL of the service in production, not http://localhost:3000',
      'SMTP_URL is required in production (EMAIL_VERIFICATION and PASSWORD_RESET are on; set EMAIL_VERIFICATION=false and PASSWORD_RESET=false to run without mail)',
      'MAIL_FROM must be an address of your domain in production, not @localhost (EMAIL_VERIFICATION and PASSWORD_RESET are on; set EMAIL_VERIFICATION=false and PASSWORD_RESET=false to run without mail)',
      'APP_URL must be the public URL of the web app in production (EMAIL_VERIFICATION and PASSWORD_RESET are on; set EMAIL_VERIFICATION=false and PASSWORD_RESET=false to run without mail)',
      'MFA_ENCRYPTION_KEY is required in production (MFA_TOTP is on; set MFA_TOTP=false to run without a second factor)',
      'WEBAUTHN_RP_ID is required in production (PASSKEYS is on; set PASSKEYS=false to run without passkeys)',
      'WEBAUTHN_ORIGINS is required in production (PASSKEYS is on; set PASSKEYS=false to run without passkeys)',
    ]);
  });

  it('does not report a bad COOKIE_SECURE twice in production', () => {
    expect(errorOf({ ...PRODUCTION, COOKIE_SECURE: 'maybe' })).toBe(
      'COOKIE_SECURE must be true or false',
    );
  });

  it.each([
    [{}, true],
    [{ NODE_ENV: 'test' }, true],
    [PRODUCTION, false],
    [{ ...PRODUCTION, DOCS_ENABLED: 'true' }, true],
    [{ DOCS_ENABLED: 'false' }, false],
  ])('reads DOCS_ENABLED for %j as %j (off by default in production only)', (env, expected) => {
    expect(validateEnv(env).app.docsEnabled).toBe(expected);
  });

  it.each([
    [{}, true],
    [{ LOG_PRETTY: 'false' }, false],
    [{ NODE_ENV: 'test', LOG_PRETTY: 'true' }, false],
    [{ ...PRODUCTION, LOG_PRETTY: 'true' }, false],
  ])('reads LOG_PRETTY for %j as %j (development only, on by default there)', (env, expected) => {
    expect(validateEnv(env).app.logPretty).toBe(expected);
  });

  it('names LOG_PRETTY when it is not a boolean', () => {
    expect(errorOf({ LOG_PRETTY: 'colour' })).toBe('LOG_PRETTY must be true or false');
  });

  it('reads LOG_LEVEL (unset: the default of the environment) and LOG_REQUESTS (on by default)', () => {
    expect(validateEnv({}).app.logLevel).toBeUndefined();
    expect(validateEnv({ LOG_LEVEL: 'warn' }).app.logLevel).toBe('warn');
    expect(validateEnv({}).app.logRequests).toBe(true);
    expect(validateEnv({ ...PRODUCTION, LOG_REQUESTS: 'false' }).app.logRequests).toBe(false);
  });

  it('names LOG_LEVEL and LOG_REQUESTS when they hold something else', () => {
    expect(errorOf({ LOG_LEVEL: 'verbose' })).toBe(
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    );
    expect(errorOf({ LOG_REQUESTS: 'some' })).toBe('LOG_REQUESTS must be true or false');
  });

  it('reads Sentinel and Cluster settings', () => {
    expect(
      validateEnv({ REDIS_SENTINELS: 'a:26379,b:26380', REDIS_SENTINEL_NAME: 'main' }).store.driver,
    ).toEqual({
      kind: 'redis',
      mode: 'sentinel',
      name: 'main',
      sentinels: [
        { host: 'a', port: 26379 },
        { host: 'b', port: 26380 },
      ],
    });
    expect(validateEnv({ REDIS_CLUSTER_NODES: '10.0.0.1:7000' }).store.driver).toEqual({
      kind: 'redis',
      mode: 'cluster',
      nodes: [{ host: '10.0.0.1', port: 7000 }],
    });
  });

  it.each([
    [{}, false],
    [{ TRUST_PROXY: 'false' }, false],
    [{ TRUST_PROXY: 'true' }, 1],
    [{ TRUST_PROXY: '2' }, 2],
    [{ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }, ['10.0.0.0/8', '127.0.0.1']],
  ])('reads TRUST_PROXY %j as %j, never as "trust every forwarded address"', (env, expected) => {
    expect(validateEnv(env).app.trustProxy).toEqual(expected);
  });

  it('rejects a TRUST_PROXY it cannot read', () => {
    expect(errorOf({ TRUST_PROXY: 'yes please' })).toMatch(/^TRUST_PROXY must be true, false/);
  });

  it('defaults the bootstrap admin username to the part of the email before @', () => {
    const env = validateEnv({
      BOOTSTRAP_ADMIN_EMAIL: 'boss@example.com',
      BOOTSTRAP_ADMIN_PASSWORD: 'a long admin passphrase',
    });
    expect(env.app.bootstrapAdmin).toEqual({
      email: 'boss@example.com',
      username: 'boss',
      password: 'a long admin passphrase',
    });
  });

  it.each([
    ['too-short', /must be 12 to 128 characters long$/],
    ['password1234', /is too common$/],
    ['boss@example.com', /must not be your email or username$/],
  ])(
    'refuses a bootstrap admin password that fails the password policy (%j), never naming it',
    (password, problem) => {
      const error = errorOf({
        BOOTSTRAP_ADMIN_EMAIL: 'boss@example.com',
        BOOTSTRAP_ADMIN_PASSWORD: password,
      });
      expect(error).toMatch(/^BOOTSTRAP_ADMIN_PASSWORD fails the password policy: /);
      expect(error).toMatch(problem);
      expect(error).not.toContain(password);
      expect(error).not.toContain('\n');
    },
  );
});

describe('validateEnv: WebSocket caps', () => {
  it('defaults to 5 sockets per session and 20 per user', () => {
    expect(validateEnv({}).ws).toEqual({ maxSocketsPerSession: 5, maxSocketsPerUser: 20 });
  });

  it('reads WS_MAX_SOCKETS_PER_SESSION and WS_MAX_SOCKETS_PER_USER', () => {
    const env = validateEnv({ WS_MAX_SOCKETS_PER_SESSION: '2', WS_MAX_SOCKETS_PER_USER: '3' });
    expect(env.ws).toEqual({ maxSocketsPerSession: 2, maxSocketsPerUser: 3 });
  });

  it.each([
    [{ WS_MAX_SOCKETS_PER_SESSION: '0' }, /^WS_MAX_SOCKETS_PER_SESSION must be a whole number/],
    [{ WS_MAX_SOCKETS_PER_USER: 'many' }, /^WS_MAX_SOCKETS_PER_USER must be a whole number/],
    [{ WS_MAX_SOCKETS_PER_USER: '4' }, /^WS_MAX_SOCKETS_PER_SESSION must not exceed/],
  ])('refuses %j with one line naming the variable', (env, message) => {
    expect(errorOf(env)).toMatch(message);
  });
});

describe('validateEnv: mail', () => {
  it('defaults to .eml files in ./.mail-outbox, a bounded retrying queue and verification on', () => {
    expect(validateEnv({}).mail).toEqual({
      smtpUrl: null,
      from: 'Tessera <no-reply@localhost>',
      appUrl: 'http://localhost:3000',
      templatesDir: null,
      outboxDir: './.mail-outbox',
      queueSize: 1000,
      maxAttempts: 5,
      retryDelayMs: 2000,
      emailVerification: true,
      requireVerifiedEmail: false,
      passwordReset: true,
    });
  });

  it('reads SMTP_URL, MAIL_FROM, APP_URL and the verification switches', () => {
    const mail = validateEnv({
      SMTP_URL: 'smtp://127.0.0.1:1025',
      MAIL_FROM: 'no-reply@example.com',
      APP_URL: 'https://app.example.com/base',
      REQUIRE_VERIFIED_EMAIL: 'true',
    }).mail;
    expect(mail).toEqual(
      expect.objectContaining({
        smtpUrl: 'smtp://127.0.0.1:1025',
        from: 'no-reply@example.com',
        appUrl: 'https://app.example.com/base',
        requireVerifiedEmail: true,
      }),
    );
  });

  it.each([
    [{ SMTP_URL: 'http://mail.example.com' }, 'SMTP_URL must be a URL (smtp: or smtps:)'],
    [{ MAIL_FROM: 'nobody' }, 'MAIL_FROM must be an address, or a name and <address>'],
    [
      { MAIL_FROM: 'a@example.com\r\nBcc: b@example.com' },
      'MAIL_FROM must be an address, or a name and <address>',
    ],
    [{ APP_URL: 'app.example.com' }, 'APP_URL must be a URL (http: or https:)'],
    [{ MAIL_QUEUE_SIZE: '0' }, 'MAIL_QUEUE_SIZE must be a whole number from 1 to 100000'],
    [{ MAIL_MAX_ATTEMPTS: '50' }, 'MAIL_MAX_ATTEMPTS must be a whole number from 1 to 20'],
    [
      { MAIL_RETRY_DELAY_MS: 'soon' },
      'MAIL_RETRY_DELAY_MS must be a whole number from 10 to 600000',
    ],
    [{ EMAIL_VERIFICATION: 'maybe' }, 'EMAIL_VERIFICATION must be true or false'],
    [{ PASSWORD_RESET: 'maybe' }, 'PASSWORD_RESET must be true or false'],
    [
      { EMAIL_VERIFICATION: 'false', REQUIRE_VERIFIED_EMAIL: 'true' },
      'REQUIRE_VERIFIED_EMAIL needs EMAIL_VERIFICATION=true',
    ],
  ])('refuses %j in one line naming the variable', (env, message) => {
    expect(errorOf(env)).toBe(message);
  });

  it('never repeats the SMTP credentials of a bad SMTP_URL', () => {
    expect(errorOf({ SMTP_URL: 'ftp://user:hunter2@mail' })).not.toContain('hunter2');
  });

  it('refuses production without SMTP_URL and a public https APP_URL while a mail flow is on', () => {
    expect(errorOf({ ...PRODUCTION, SMTP_URL: '' })).toBe(
      'SMTP_URL is required in production (EMAIL_VERIFICATION and PASSWORD_RESET are on; set EMAIL_VERIFICATION=false and PASSWORD_RESET=false to run without mail)',
    );
    expect(errorOf({ ...PRODUCTION, APP_URL: 'http://app.example.com' })).toBe(
      'APP_URL must be an https URL in production: the links in mails carry tokens',
    );
  });

  it.each([[undefined], ['no-reply@localhost'], ['Tessera <no-reply@LOCALHOST>']])(
    'refuses production with a mail flow on and MAIL_FROM %j, in one line',
    (from) => {
      const env: Record<string, string> = { ...PRODUCTION };
      if (from === undefined) delete env.MAIL_FROM;
      else env.MAIL_FROM = from;
      expect(errorOf(env)).toBe(
        'MAIL_FROM must be an address of your domain in production, not @localhost (EMAIL_VERIFICATION and PASSWORD_RESET are on; set EMAIL_VERIFICATION=false and PASSWORD_RESET=false to run without mail)',
      );
    },
  );

  it('starts in production without mail when EMAIL_VERIFICATION=false and PASSWORD_RESET=false', () => {
    const off = { EMAIL_VERIFICATION: 'false', PASSWORD_RESET: 'false' };
    const env = { ...PRODUCTION, SMTP_URL: '', APP_URL: '', ...off };
    expect(validateEnv(env).mail).toMatchObject({ emailVerification: false, passwordReset: false });
  });

  it('counts password reset as a mail flow: production without SMTP_URL refuses it alone', () => {
    const env = { ...PRODUCTION, SMTP_URL: '', EMAIL_VERIFICATION: 'false' };
    expect(errorOf(env)).toBe(
      'SMTP_URL is required in production (PASSWORD_RESET is on; set PASSWORD_RESET=false to run without mail)',
    );
  });
});

describe('validateEnv: second factor', () => {
  const KEY = Buffer.alloc(32, 9);

  it('defaults to TOTP on, no required roles, the issuer Tessera and no key outside production', () => {
    expect(validateEnv({}).mfa).toEqual({
      totp: true,
      encryptionKey: null,
      requiredRoles: [],
      issuer: 'Tessera',
    });
  });

  it('reads MFA_ENCRYPTION_KEY in base64 and base64url, MFA_REQUIRED_ROLES and MFA_ISSUER', () => {
    const env = {
      MFA_ENCRYPTION_KEY: KEY.toString('base64url'),
      MFA_REQUIRED_ROLES: 'admin, admin',
      MFA_ISSUER: 'Acme Corp',
    };
    expect(validateEnv(env).mfa).toEqual({
      totp: true,
      encryptionKey: KEY,
      requiredRoles: ['admin'],
      issuer: 'Acme Corp',
    });
  });

  it.each([
    [
      { MFA_ENCRYPTION_KEY: Buffer.alloc(31).toString('base64') },
      'MFA_ENCRYPTION_KEY must be 32 bytes, base64 (openssl rand -base64 32)',
    ],
    [
      { MFA_ENCRYPTION_KEY: 'not base64 at all!' },
      'MFA_ENCRYPTION_KEY must be 32 bytes, base64 (openssl rand -base64 32)',
    ],
    [{ MFA_REQUIRED_ROLES: 'admin,root' }, 'MFA_REQUIRED_ROLES must list roles of user, admin'],
    [{ MFA_ISSUER: 'Acme:Corp' }, 'MFA_ISSUER must be 1-64 printable characters without a colon'],
    [{ MFA_TOTP: 'false', MFA_REQUIRED_ROLES: 'admin' }, 'MFA_REQUIRED_ROLES needs MFA_TOTP=true'],
  ])('refuses %j', (env, message) => {
    expect(errorOf(env)).toBe(message);
  });

  it('refuses production without MFA_ENCRYPTION_KEY while TOTP is on, and starts with MFA_TOTP=false', () => {
    expect(errorOf({ ...PRODUCTION, MFA_ENCRYPTION_KEY: '' })).toBe(
      'MFA_ENCRYPTION_KEY is required in production (MFA_TOTP is on; set MFA_TOTP=false to run without a second factor)',
    );
    const off = validateEnv({ ...PRODUCTION, MFA_ENCRYPTION_KEY: '', MFA_TOTP: 'false' });
    expect(off.mfa).toMatchObject({ totp: false, encryptionKey: null });
  });

  it('reports a bad key once in production, not also as missing', () => {
    expect(errorOf({ ...PRODUCTION, MFA_ENCRYPTION_KEY: 'c2hvcnQ=' })).toBe(
      'MFA_ENCRYPTION_KEY must be 32 bytes, base64 (openssl rand -base64 32)',
    );
  });

  it('reads REFRESH_GRACE_KEY, and refuses production without it while the grace window is open', () => {
    const key = Buffer.alloc(32, 7);
    const env = validateEnv({ REFRESH_GRACE_KEY: key.toString('base64url') });
    expect(env.security.refreshGraceKey).toEqual(key);
    expect(validateEnv({}).security.refreshGraceKey).toBeNull();
    expect(errorOf({ REFRESH_GRACE_KEY: 'c2hvcnQ=' })).toBe(
      'REFRESH_GRACE_KEY must be 32 bytes, base64 (openssl rand -base64 32)',
    );
    expect(errorOf({ ...PRODUCTION, REFRESH_REUSE_GRACE_SECONDS: '5' })).toBe(
      'REFRESH_GRACE_KEY is required in production (REFRESH_REUSE_GRACE_SECONDS is above 0; set it to 0 to run without a grace window)',
    );
    const graceful = { ...PRODUCTION, REFRESH_REUSE_GRACE_SECONDS: '5' };
    expect(
      validateEnv({ ...graceful, REFRESH_GRACE_KEY: key.toString('base64') }).security,
    ).toMatchObject({ refreshReuseGraceSeconds: 5, refreshGraceKey: key });
    expect(errorOf({ ...graceful, REFRESH_GRACE_KEY: 'c2hvcnQ=' })).toBe(
      'REFRESH_GRACE_KEY must be 32 bytes, base64 (openssl rand -base64 32)',
    );
    expect(validateEnv(PRODUCTION).security.refreshGraceKey).toBeNull();
  });

  it('derives the relying party from JWT_ISSUER outside production', () => {
    expect(validateEnv({}).passkeys).toMatchObject({
      enabled: true,
      rpId: 'localhost',
      rpName: 'Tessera',
      origins: ['http://localhost:3000'],
    });
    const set = validateEnv({
      WEBAUTHN_RP_ID: 'Example.COM',
      WEBAUTHN_ORIGINS: 'https://example.com, https://app.example.com/',
      WEBAUTHN_RP_NAME: 'Acme',
    });
    expect(set.passkeys).toMatchObject({
      rpId: 'example.com',
      rpName: 'Acme',
      origins: ['https://example.com', 'https://app.example.com'],
    });
  });

  it.each([
    [
      { WEBAUTHN_RP_ID: 'https://example.com' },
      'WEBAUTHN_RP_ID must be a domain name (no scheme, port or IP address)',
    ],
    [
      { WEBAUTHN_RP_ID: '127.0.0.1' },
      'WEBAUTHN_RP_ID must be a domain name (no scheme, port or IP address)',
    ],
    [
      { JWT_ISSUER: 'http://127.0.0.1:3000' },
      "WEBAUTHN_RP_ID must be set: JWT_ISSUER's host is not a domain name",
    ],
    [
      { WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: 'https://example.org' },
      'WEBAUTHN_ORIGINS must be https origins (or http://localhost) on WEBAUTHN_RP_ID or its subdomains',
    ],
    [
      { WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: 'http://app.example.com' },
      'WEBAUTHN_ORIGINS must be https origins (or http://localhost) on WEBAUTHN_RP_ID or its subdomains',
    ],
    [
      { WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: 'https://badexample.com' },
      'WEBAUTHN_ORIGINS must be https origins (or http://localhost) on WEBAUTHN_RP_ID or its subdomains',
    ],
    [
      { WEBAUTHN_ORIGINS: 'localhost:3000' },
      'WEBAUTHN_ORIGINS must be a comma-separated list of http(s) origins',
    ],
    [{ WEBAUTHN_RP_NAME: 'a\u0007b' }, 'WEBAUTHN_RP_NAME must be 1-64 printable characters'],
    [{ PASSKEYS: 'maybe' }, 'PASSKEYS must be true or false'],
  ])('refuses %j', (env, message) => {
    expect(errorOf(env)).toBe(message);
  });

  it('asks nothing of a relying party with PASSKEYS=false, on an issuer at an IP address too', () => {
    const loopback = { JWT_ISSUER: 'http://127.0.0.1:3000' };
    expect(errorOf(loopback)).toBe(
      "WEBAUTHN_RP_ID must be set: JWT_ISSUER's host is not a domain name",
    );
    expect(validateEnv({ ...loopback, PASSKEYS: 'false' }).passkeys.enabled).toBe(false);
    const production = { ...PRODUCTION, ...loopback, PASSKEYS: 'false', WEBAUTHN_RP_ID: '' };
    expect(validateEnv({ ...production, WEBAUTHN_ORIGINS: '' }).passkeys.enabled).toBe(false);
  });

  it('refuses production without an explicit relying party while passkeys are on', () => {
    const unset = { ...PRODUCTION, WEBAUTHN_RP_ID: '', WEBAUTHN_ORIGINS: '' };
    expect(errorOf(unset).split('\n')).toEqual([
      'WEBAUTHN_RP_ID is required in production (PASSKEYS is on; set PASSKEYS=false to run without passkeys)',
      'WEBAUTHN_ORIGINS is required in production (PASSKEYS is on; set PASSKEYS=false to run without passkeys)',
    ]);
    expect(validateEnv({ ...unset, PASSKEYS: 'false' }).passkeys.enabled).toBe(false);
    expect(
      errorOf({
        ...PRODUCTION,
        WEBAUTHN_RP_ID: 'localhost',
        WEBAUTHN_ORIGINS: 'http://localhost:3000',
      }),
    ).toBe('WEBAUTHN_ORIGINS must be https origins in production');
  });
});

describe('validateEnv: DPoP', () => {
  it('defaults to ES256, EdDSA, RS256 and PS256 proofs, no nonce, 60 seconds', () => {
    expect(validateEnv({}).dpop).toEqual({
      algorithms: ['ES256', 'EdDSA', 'RS256', 'PS256'],
      nonceRequired: false,
      proofMaxAgeSeconds: 60,
    });
  });

  it('reads DPOP_ALGORITHMS, DPOP_NONCE_REQUIRED and DPOP_PROOF_MAX_AGE_SECONDS', () => {
    const env = {
      DPOP_ALGORITHMS: 'ES256, ES384',
      DPOP_NONCE_REQUIRED: 'true',
      DPOP_PROOF_MAX_AGE_SECONDS: '30',
    };
    expect(validateEnv(env).dpop).toEqual({
      algorithms: ['ES256', 'ES384'],
      nonceRequired: true,
      proofMaxAgeSeconds: 30,
    });
  });

  it.each([
    [
      { DPOP_ALGORITHMS: 'HS256' },
      'DPOP_ALGORITHMS must list algorithms of ES256, ES384, EdDSA, RS256, PS256',
    ],
    [
      { DPOP_ALGORITHMS: 'none' },
      'DPOP_ALGORITHMS must list algorithms of ES256, ES384, EdDSA, RS256, PS256',
    ],
    [{ DPOP_NONCE_REQUIRED: 'yes' }, 'DPOP_NONCE_REQUIRED must be true or false'],
    [
      { DPOP_PROOF_MAX_AGE_SECONDS: '3600' },
      'DPOP_PROOF_MAX_AGE_SECONDS must be a whole number from 5 to 300',
    ],
  ])('refuses %j', (env, message) => {
    expect(errorOf(env)).toBe(message);
  });
});
