import { UnsupportedMediaTypeException } from '@nestjs/common';
import { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, AppErrorCode } from '../errors/app-error';

/**
 * Routes that also take `application/x-www-form-urlencoded`, because their RFCs say so
 * (RFC 7009 revocation, RFC 7662 introspection). Everywhere else a form body is refused: a
 * cross-site HTML form can send one without a CORS preflight, so accepting it would open login
 * and registration to CSRF.
 */
export const FORM_ROUTES: ReadonlySet<string> = new Set(['/auth/revoke', '/auth/introspect']);

const JSON_TYPE = 'application/json';
const FORM_TYPE = 'application/x-www-form-urlencoded';

/**
 * Two rules for every request body, before any handler sees it:
 * - its media type is JSON (or a form, on FORM_ROUTES only), else 415. Checked in onRequest,
 *   before the body is read or parsed: Fastify's own text/plain parser would otherwise hand a
 *   string to validation, and a form would be parsed on routes that never take one;
 * - a JSON body is an object. `null`, arrays and scalars are 400 (the validation pipe would read
 *   `null` as `{}`: an empty PATCH instead of an error).
 */
export function registerBodyRules(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    done(unsupportedMediaType(request));
  });
  fastify.addHook('preValidation', (request, _reply, done) => {
    done(notAnObject(request));
  });
}

function unsupportedMediaType(request: FastifyRequest): Error | undefined {
  if (!hasBody(request)) return undefined;
  const type = mediaType(request);
  if (type === JSON_TYPE) return undefined;
  if (type === FORM_TYPE && FORM_ROUTES.has(request.routeOptions.url ?? '')) return undefined;
  return new UnsupportedMediaTypeException(
    `Send the body as ${JSON_TYPE}${type ? `, not ${type.slice(0, 100)}` : ''}.`,
  );
}

function notAnObject(request: FastifyRequest): Error | undefined {
  if (mediaType(request) !== JSON_TYPE || !hasBody(request)) return undefined;
  const body: unknown = request.body;
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) return undefined;
  return new AppError(AppErrorCode.ValidationFailed, 'The JSON body must be an object.', {
    errors: [{ field: '', message: 'the JSON body must be an object' }],
  });
}

/** A body is announced by a non-zero Content-Length or by chunked Transfer-Encoding. */
function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  if (length !== undefined) return length !== '0';
  return request.headers['transfer-encoding'] !== undefined;
}

function mediaType(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}
