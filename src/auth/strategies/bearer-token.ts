import { FastifyRequest } from 'fastify';
import { MAX_TOKEN_LENGTH } from '../../tokens/token-header';

/** passport-jwt's message when the extractor finds nothing. */
export const NO_TOKEN = 'No auth token';

/** What an unacceptable header yields: it fails verification as "malformed token". */
const MALFORMED = 'malformed';

const AUTHORIZATION = /^(Bearer|DPoP) ([A-Za-z0-9\-._~+/]+=*)$/i;

/** "Bearer " plus the largest token we would ever look at. */
const MAX_HEADER_LENGTH = 'Bearer '.length + MAX_TOKEN_LENGTH;

/** How the access token came: `Authorization: Bearer` (RFC 6750) or `DPoP` (RFC 9449 §7.1). */
export type TokenScheme = 'bearer' | 'dpop';

/**
 * The token of `Authorization: Bearer <token>` (RFC 6750 §2.1) or `Authorization: DPoP <token>`
 * (RFC 9449 §7.1), scheme case-insensitive; which one it was is `tokenScheme`.
 * A header of any other shape yields a placeholder that fails verification as "malformed", so the
 * client gets 401 invalid_token rather than being treated as anonymous. An oversized header is
 * refused by its length alone, before any matching or decoding.
 */
export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header === undefined) return null;
  if (header.length > MAX_HEADER_LENGTH) return MALFORMED;
  return AUTHORIZATION.exec(header)?.[2] ?? MALFORMED;
}

const SCHEME = /^(?:bearer|dpop) /i;

/**
 * What follows `Bearer ` or `DPoP ` in the Authorization header, unchecked: only for looking up
 * tokens verified before (VerifiedTokenCache), where an exact match with a verified token implies
 * the header is well formed (bearerToken would have returned the same string), so the hot path
 * skips bearerToken's character-class scan of the whole token. Null for anything else.
 */
export function presentedCredentials(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header === undefined || header.length > MAX_HEADER_LENGTH || !SCHEME.test(header)) {
    return null;
  }
  return header.slice(header.indexOf(' ') + 1);
}

/** The scheme of a well-formed Authorization header (see bearerToken), else null. */
export function tokenScheme(request: FastifyRequest): TokenScheme | null {
  const header = request.headers.authorization;
  if (header === undefined || header.length > MAX_HEADER_LENGTH) return null;
  const scheme = AUTHORIZATION.exec(header)?.[1]?.toLowerCase();
  return scheme === 'bearer' || scheme === 'dpop' ? scheme : null;
}
