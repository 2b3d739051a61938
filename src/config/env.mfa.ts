import { Role, ROLES } from '../users/user';
import { bool, EnvError, EnvErrorCollector, key32, list, raw, RawEnv, str } from './env.parsers';

/** The second factor (issue 10.4, docs/mfa.md). */
export interface MfaEnv {
  /** TOTP (RFC 6238) enrolment, sign-in with a code and recovery codes are served. */
  totp: boolean;
  /**
   * The AES-256-GCM key that encrypts TOTP secrets at rest. Null outside production when unset:
   * a key file of its own is made beside the signing keys (JWT_KEYS_DIR), so a development store
   * survives restarts; production refuses to start without it while MFA_TOTP is on.
   */
  encryptionKey: Buffer | null;
  /** Users holding any of these roles must enrol: their password-only login can only enrol. */
  requiredRoles: Role[];
  /** The issuer authenticator apps show beside the account (the `otpauth://` label). */
  issuer: string;
}

/** MFA_ENCRYPTION_KEY: exactly 32 bytes, base64 or base64url (`openssl rand -base64 32`). */
function encryptionKey(env: RawEnv): Buffer | null {
  return key32('MFA_ENCRYPTION_KEY', raw(env, 'MFA_ENCRYPTION_KEY'));
}

function requiredRoles(env: RawEnv): Role[] {
  const names = list(env, 'MFA_REQUIRED_ROLES');
  const unknown = names.filter((name) => !(ROLES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new EnvError('MFA_REQUIRED_ROLES', `must list roles of ${ROLES.join(', ')}`);
  }
  return [...new Set(names)] as Role[];
}

function issuer(env: RawEnv): string {
  const value = str(env, 'MFA_ISSUER', 'Tessera');
  // Shown in authenticator apps and part of the otpauth:// label: printable, no colon (RFC 6238
  // apps split the label on it), short.
  if (!/^[^:\p{Cc}]{1,64}$/u.test(value)) {
    throw new EnvError('MFA_ISSUER', 'must be 1-64 printable characters without a colon');
  }
  return value;
}

/** The second-factor settings, each bad variable reported through `ok` (one line each). */
export function mfaEnv(env: RawEnv, ok: EnvErrorCollector['check']): MfaEnv {
  const totp = ok(() => bool(env, 'MFA_TOTP', true));
  const roles = ok(() => requiredRoles(env));
  if (totp === false && roles !== undefined && roles.length > 0) {
    ok(() => {
      throw new EnvError('MFA_REQUIRED_ROLES', 'needs MFA_TOTP=true');
    });
  }
  return {
    totp,
    encryptionKey: ok(() => encryptionKey(env)),
    requiredRoles: roles,
    issuer: ok(() => issuer(env)),
  };
}

/** Production keeps second-factor secrets under a key of its own, never one made on the host. */
export function refuseUnsafeProductionMfa(
  mfa: MfaEnv,
  refuse: (variable: string, problem: string) => void,
): void {
  // undefined: the variable was set and invalid, which is reported already.
  if (mfa.totp && mfa.encryptionKey === null) {
    refuse(
      'MFA_ENCRYPTION_KEY',
      'is required in production (MFA_TOTP is on; set MFA_TOTP=false to run without a second factor)',
    );
  }
}
