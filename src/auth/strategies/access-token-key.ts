import { KeyObject } from 'node:crypto';
import { AppError, AppErrorCode } from '../../common/errors/app-error';
import { JwtAlgorithm } from '../../config/env.validation';
import { isEcdsaAlgorithm, isValidJoseEcdsaSignature } from '../../tokens/ecdsa-signature';
import { SigningKeys } from '../../tokens/signing-keys';
import { ACCESS_TOKEN_TYP } from '../../tokens/token.service';
import { CompactJws, JoseHeader, parseCompactJws, typIs } from '../../tokens/token-header';

/**
 * The only header parameters an access token of ours carries. Anything else is refused, which
 * covers every way a token could try to bring its own key or make us fetch one (`jwk`, `jku`,
 * `x5u`, `x5c`, `x5t`), extensions we would have to understand (`crit`, `b64`), and whatever a
 * future library might start honouring. We issue these tokens, so nothing legitimate is lost.
 */
const ALLOWED_HEADER = new Set(['alg', 'typ', 'kid']);

/**
 * The RFC 8725 checks made before any signature work, in order of cost, each with a fixed reason
 * (never token content: it ends up in `WWW-Authenticate` and the audit log). Returns the key to
 * verify with, always from our own key set, or the 401 to answer.
 */
export function accessTokenKey(
  keys: Pick<SigningKeys, 'verificationKey'>,
  algorithm: JwtAlgorithm,
  rawToken: string,
): KeyObject | AppError {
  const jws = parseCompactJws(rawToken);
  if (!jws) return invalid('malformed token');
  const refusal = headerRefusal(jws.header, algorithm) ?? signatureRefusal(jws, algorithm);
  if (refusal) return invalid(refusal);
  // kid is a string here; a Map lookup, so '../x', "' OR 1=1 --" or '__proto__' are just unknown.
  const key = keys.verificationKey(jws.header.kid as string);
  return key ? key.verificationKey : invalid('unknown kid');
}

/** Why the header is unacceptable, or null. */
function headerRefusal(header: JoseHeader, algorithm: JwtAlgorithm): string | null {
  // Exact match with the one configured algorithm: `none` in any casing, HS256 against a public
  // key, or any other switch is refused (RFC 8725 §3.1, §3.2).
  if (header.alg !== algorithm) return 'algorithm not allowed';
  // Explicit typing (RFC 8725 §3.11, RFC 9068 §4): refresh tokens, WebSocket tickets and plain
  // JWTs are never taken for access tokens.
  if (!typIs(header, ACCESS_TOKEN_TYP)) return 'wrong token type';
  if (header.crit !== undefined) return 'unsupported critical header';
  if (Object.keys(header).some((name) => !ALLOWED_HEADER.has(name))) {
    return 'unsupported header parameter';
  }
  if (typeof header.kid !== 'string' || header.kid.length === 0) return 'missing kid';
  return null;
}

/**
 * ECDSA signatures must be JOSE-encoded and in range before jsonwebtoken sees them (its own
 * refusal would say "bad signature"; this one is ours, and says so).
 */
function signatureRefusal(jws: CompactJws, algorithm: JwtAlgorithm): string | null {
  if (isEcdsaAlgorithm(algorithm) && !isValidJoseEcdsaSignature(algorithm, jws.signature)) {
    return 'malformed signature';
  }
  return null;
}

function invalid(reason: string): AppError {
  return new AppError(AppErrorCode.InvalidToken, reason);
}
