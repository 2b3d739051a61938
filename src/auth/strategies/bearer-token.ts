import { FastifyRequest } from 'fastify';

/** passport-jwt's message when the extractor finds nothing. */
export const NO_TOKEN = 'No auth token';

const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * The token of `Authorization: Bearer <token>` (RFC 6750 §2.1, scheme case-insensitive).
 * A header of any other shape yields a placeholder that fails verification as "malformed", so the
 * client gets 401 invalid_token rather than being treated as anonymous.
 */
export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header === undefined) return null;
  return BEARER.exec(header)?.[1] ?? 'malformed';
}
