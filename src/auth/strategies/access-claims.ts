import { AppError, AppErrorCode } from '../../common/errors/app-error';
import { ROLES } from '../../users/user';
import { AccessClaims } from '../../tokens/token.types';

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * The claims of a signature-checked access token, or 401: every claim we rely on must be present
 * and well-typed (RFC 9068 §2.2), and `iat` may not lie in the future beyond the allowed skew.
 */
export function accessClaimsOf(
  payload: unknown,
  nowSeconds: number,
  skewSeconds: number,
): AccessClaims {
  const invalid = (reason: string) => new AppError(AppErrorCode.InvalidToken, reason);
  if (typeof payload !== 'object' || payload === null) throw invalid('malformed token');
  const c = payload as Record<string, unknown>;
  for (const name of ['iss', 'sub', 'aud', 'jti', 'sid'] as const) {
    if (!isString(c[name])) throw invalid(`missing ${name}`);
  }
  for (const name of ['iat', 'exp'] as const) {
    if (!isNumber(c[name])) throw invalid(`missing ${name}`);
  }
  if ((c.iat as number) > nowSeconds + skewSeconds) throw invalid('issued in the future');
  if (c.nbf !== undefined && !isNumber(c.nbf)) throw invalid('malformed nbf');
  if (typeof c.scope !== 'string') throw invalid('missing scope');
  const roles = c.roles;
  if (!Array.isArray(roles) || !roles.every((r) => (ROLES as readonly unknown[]).includes(r))) {
    throw invalid('malformed roles');
  }
  return c as unknown as AccessClaims;
}
