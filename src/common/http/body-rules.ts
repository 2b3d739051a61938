import { UnsupportedMediaTypeException } from '@nestjs/common';
import { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, AppErrorCode } from '../errors/app-error';
import { OAUTH_ENDPOINTS } from './oauth-endpoints';

/**
 * Routes that also take `application/x-www-form-urlencoded`, because their RFCs say so
 * (RFC 7009 revocation, RFC 7662 introspection). Everywhere else a form body is refused: a
 * cross-site HTML form can send one without a CORS preflight, so accepting it would open login
 * and registration to CSRF.
 */
export const FORM_ROUTES: ReadonlySet<string> = OAUTH_ENDPOINTS;

const JSON_TYPE = 'application/json';
const FORM_TYPE = 'application/x-www-form-urlencoded';
/** The WHATWG Encoding labels of UTF-8 that clients actually send; compared in lower case. */
const UTF8_LABELS: ReadonlySet<string> = new Set(['utf-8', 'utf8']);

/**
 * Two rules for every request body, before any handler sees it:
 * - its media type is JSON (or a form, on FORM_ROUTES only), else 415. Checked in onRequest,
 *   before the body is read or parsed: Fastify's own text/plain parser would otherwise hand a
 *   string to validation, and a form would be parsed on routes that never take one. A declared
 *   charset other than UTF-8 is a 415 too: every body is decoded as UTF-8, so a latin1 body
 *   would be read as other characters than the client meant (a password that never matches);
 * - a JSON body is an object. `null`, arrays and scalars are 400 (the validation pipe would read
 *   `null` as `{}`: an empty PATCH instead of an error).
 * What a JSON body may hold (depth, well-formed strings) is the parser's rule: json-body.ts.
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
  const accepted =
    type === JSON_TYPE || (type === FORM_TYPE && FORM_ROUTES.has(request.routeOptions.url ?? ''));
  if (!accepted) {
    return new UnsupportedMediaTypeException(
      `Send the body as ${JSON_TYPE}${type ? `, not ${type.slice(0, 100)}` : ''}.`,
    );
  }
  const foreign = charsetsOf(request).find((charset) => !UTF8_LABELS.has(charset));
  if (foreign === undefined) return undefined;
  return new UnsupportedMediaTypeException(
    `Send the body in UTF-8, not charset ${foreign.slice(0, 40)}.`,
  );
}

function notAnObject(request: FastifyRequest): Error | undefined {
  // hasBody first: two header reads, where mediaType splits and lower-cases (every GET passes here).
  if (!hasBody(request) || mediaType(request) !== JSON_TYPE) return undefined;
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

/** The charsets Content-Type declares (none or one, unless a client misbehaves), lower case. */
function charsetsOf(request: FastifyRequest): string[] {
  const [, ...parameters] = (request.headers['content-type'] ?? '').split(';');
  return parameters.flatMap((parameter) => {
    const [name, value = ''] = parameter.split('=', 2).map((part) => part.trim().toLowerCase());
    return name === 'charset' ? [value.replace(/^"(.*)"$/, '$1')] : [];
  });
}

function mediaType(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}
