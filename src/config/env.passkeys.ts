import { isIP } from 'node:net';
import { bool, EnvError, EnvErrorCollector, origins, raw, RawEnv, str } from './env.parsers';

/** Passkeys (WebAuthn, issue 11.3, docs/passkeys.md). */
export interface PasskeysEnv {
  /** Registration, sign-in, listing and removal of passkeys are served. */
  enabled: boolean;
  /** The Relying Party ID: the domain passkeys are bound to (WebAuthn §5.1.2). */
  rpId: string;
  /** The name browsers and authenticators show beside the account. */
  rpName: string;
  /** The web origins allowed to run the ceremonies: on `rpId` or its subdomains. */
  origins: string[];
  /** Which of WEBAUTHN_RP_ID and WEBAUTHN_ORIGINS were derived, not set: production refuses. */
  derived: string[];
}

const DEVELOPMENT_ISSUER = 'http://localhost:3000';
/** A DNS name (no scheme, port or IP address): lowercase labels of letters, digits and dashes. */
const DOMAIN =
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** The issuer's URL, or the development default when it is unset or invalid (reported there). */
function issuerUrl(env: RawEnv): URL {
  try {
    return new URL(str(env, 'JWT_ISSUER', DEVELOPMENT_ISSUER));
  } catch {
    return new URL(DEVELOPMENT_ISSUER);
  }
}

function rpId(env: RawEnv): string {
  const value = raw(env, 'WEBAUTHN_RP_ID')?.toLowerCase() ?? issuerUrl(env).hostname;
  // WebAuthn refuses an IP address as RP ID: browsers only bind credentials to domain names.
  if (!DOMAIN.test(value) || isIP(value) !== 0) {
    throw new EnvError(
      'WEBAUTHN_RP_ID',
      raw(env, 'WEBAUTHN_RP_ID')
        ? 'must be a domain name (no scheme, port or IP address)'
        : "must be set: JWT_ISSUER's host is not a domain name",
    );
  }
  return value;
}

/** True when `host` is the RP ID or one of its subdomains (WebAuthn §5.1.4.1 step 8). */
function onRpId(host: string, id: string): boolean {
  return host === id || host.endsWith(`.${id}`);
}

function allowedOrigins(env: RawEnv, id: string | undefined): string[] {
  const set = raw(env, 'WEBAUTHN_ORIGINS') !== undefined;
  const list = set ? origins(env, 'WEBAUTHN_ORIGINS') : [issuerUrl(env).origin];
  if (id === undefined) return list; // WEBAUTHN_RP_ID is reported already
  for (const origin of list) {
    const url = new URL(origin);
    const secure = url.protocol === 'https:' || url.hostname === 'localhost';
    if (!secure || !onRpId(url.hostname, id)) {
      throw new EnvError(
        'WEBAUTHN_ORIGINS',
        'must be https origins (or http://localhost) on WEBAUTHN_RP_ID or its subdomains',
      );
    }
  }
  return list;
}

function rpName(env: RawEnv): string {
  const value = str(env, 'WEBAUTHN_RP_NAME', 'Tessera');
  if (!/^[^\p{Cc}]{1,64}$/u.test(value)) {
    throw new EnvError('WEBAUTHN_RP_NAME', 'must be 1-64 printable characters');
  }
  return value;
}

/** The passkey settings, each bad variable reported through `ok` (one line each). */
export function passkeysEnv(env: RawEnv, ok: EnvErrorCollector['check']): PasskeysEnv {
  const enabled = ok(() => bool(env, 'PASSKEYS', true));
  // Off: nothing is bound to a relying party, so nothing about one can stop start-up (an issuer
  // on an IP address, as benchmarks and tests on loopback use, has no RP ID to derive).
  if (enabled === false) {
    return { enabled, rpId: 'localhost', rpName: 'Tessera', origins: [], derived: [] };
  }
  const id = ok(() => rpId(env));
  return {
    enabled,
    rpId: id,
    rpName: ok(() => rpName(env)),
    origins: ok(() => allowedOrigins(env, id)),
    derived: ['WEBAUTHN_RP_ID', 'WEBAUTHN_ORIGINS'].filter((name) => raw(env, name) === undefined),
  };
}

/**
 * Production names its relying party itself: an RP ID is what every passkey is bound to for good
 * (changing it orphans them all), so it is never guessed from another variable there.
 */
export function refuseUnsafeProductionPasskeys(
  passkeys: PasskeysEnv,
  refuse: (variable: string, problem: string) => void,
): void {
  if (!passkeys.enabled) return;
  for (const variable of passkeys.derived) {
    refuse(
      variable,
      'is required in production (PASSKEYS is on; set PASSKEYS=false to run without passkeys)',
    );
  }
  const explicit = !passkeys.derived.includes('WEBAUTHN_ORIGINS');
  if (explicit && passkeys.origins?.some((origin) => !origin.startsWith('https://'))) {
    refuse('WEBAUTHN_ORIGINS', 'must be https origins in production');
  }
}
