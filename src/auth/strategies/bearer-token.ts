import { FastifyRequest } from 'fastify';
import { MAX_TOKEN_LENGTH } from '../../tokens/token-header';

/** passport-jwt's message when the extractor finds nothing. */
export const NO_TOKEN = 'No auth token';

/** What an unacceptable header yields: it fails verification as "malformed token". */
const MALFORMED = 'malformed';

const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;

/** "Bearer " plus the largest token we would ever look at. */
const MAX_HEADER_LENGTH = 'Bearer '.length + MAX_TOKEN_LENGTH;

/**
 * The token of `Authorization: Bearer <token>` (RFC 6750 §2.1, scheme case-insensitive).
 * A header of any other shape yields a placeholder that fails verification as "malformed", so the
 * client gets 401 invalid_token rather than being treated as anonymous. An oversized header is
 * refused by its length alone, before any matching or decoding.
 */
export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header === undefined) return null;
  if (header.length > MAX_HEADER_LENGTH) return MALFORMED;
  return BEARER.exec(header)?.[1] ?? MALFORMED;
}
