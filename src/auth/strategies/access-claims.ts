import { AppError, AppErrorCode } from '../../common/errors/app-error';
import { ROLES } from '../../users/user';
import { AccessClaims } from '../../tokens/token.types';

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

const STRING_CLAIMS = ['iss', 'sub', 'aud', 'jti', 'sid'] as const;
const TIME_CLAIMS = ['iat', 'nbf', 'exp'] as const;

/**
 * The claims of a signature-checked access token, or 401: every claim we issue must be present
 * and well-typed (RFC 9068 §2.2), and the time claims must hold on our clock within the allowed
 * skew. jsonwebtoken checks `exp`/`nbf` too, on the wall clock; this is the check on the app's
 * Clock, and the only one for `iat`, which jsonwebtoken never bounds.
 */
export function accessClaimsOf(
  payload: unknown,
  nowSeconds: number,
  skewSeconds: number,
): AccessClaims {
  if (typeof payload !== 'object' || payload === null) throw invalid('malformed token');
  const c = payload as Record<string, unknown>;
  for (const name of STRING_CLAIMS) {
    if (!isString(c[name])) throw invalid(`missing or malformed ${name}`);
  }
  for (const name of TIME_CLAIMS) {
    if (!isNumber(c[name])) throw invalid(`missing or malformed ${name}`);
  }
  const timeRefusal = timeRefusalOf(c as { [K in (typeof TIME_CLAIMS)[number]]: number }, {
    now: nowSeconds,
    skew: skewSeconds,
  });
  if (timeRefusal) throw invalid(timeRefusal);
  if (typeof c.scope !== 'string') throw invalid('missing or malformed scope');
  // Not yet required: during a rolling deploy, instances of the previous release still sign
  // tokens without it, and those must keep working for their short life. Once every instance
  // issues it (one access-token TTL after the deploy), a release adds it to STRING_CLAIMS.
  if (c.client_id !== undefined && !isString(c.client_id)) throw invalid('malformed client_id');
  // RFC 9449 §6.1: a DPoP-bound token names its key's thumbprint; anything else there is not ours.
  if (c.cnf !== undefined) {
    const cnf = c.cnf as Record<string, unknown> | null;
    if (typeof cnf !== 'object' || cnf === null || !isString(cnf.jkt)) {
      throw invalid('malformed cnf');
    }
  }
  const roles = c.roles;
  if (!Array.isArray(roles) || !roles.every((r) => (ROLES as readonly unknown[]).includes(r))) {
    throw invalid('missing or malformed roles');
  }
  return c as unknown as AccessClaims;
}

function timeRefusalOf(
  claims: { iat: number; nbf: number; exp: number },
  clock: { now: number; skew: number },
): string | null {
  if (claims.exp <= clock.now - clock.skew) return 'token expired';
  if (claims.nbf > clock.now + clock.skew) return 'token not yet valid';
  // A token "issued" beyond the skew in the future was not issued by our clock: refuse it rather
  // than let a forged or mis-minted token outlive its stated lifetime.
  if (claims.iat > clock.now + clock.skew) return 'issued in the future';
  return null;
}

function invalid(reason: string): AppError {
  return new AppError(AppErrorCode.InvalidToken, reason);
}
