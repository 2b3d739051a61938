import { FastifyBodyParser, FastifyInstance } from 'fastify';
import { AppError, AppErrorCode, FieldError } from '../errors/app-error';

/** Levels of objects and arrays a JSON body may nest (the body itself is level 1); DTOs use 2. */
export const MAX_JSON_DEPTH = 32;

const TOO_DEEP = `JSON nested deeper than ${MAX_JSON_DEPTH} levels.`;
const NOT_UNICODE = 'JSON strings must be well-formed Unicode (no lone surrogates).';
/** A `\uD800`-`\uDFFF` escape: the only way a lone surrogate gets into a parsed body. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
/** With the `u` flag a surrogate pair reads as one code point: only a lone half matches. */
const LONE_SURROGATE = /\p{Cs}/u;
const [QUOTE, BACKSLASH, OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET] = [
  34, 92, 123, 125, 91, 93,
];

/**
 * The one JSON body parser of every route: Fastify's own (secure-json-parse, which refuses
 * `__proto__` and `constructor.prototype` keys), plus two refusals (400) before any guard, pipe
 * or handler runs:
 * - nesting deeper than MAX_JSON_DEPTH, found by a linear scan of the text before it is parsed:
 *   class-transformer and class-validator recurse over the whole body, so 3 000 levels (18 KB)
 *   blocked the event loop ~45 ms and ended in a 500, and JSON.parse alone spends ~2 ms on
 *   30 000 levels of `[`. The scan stops at the limit: a deep body costs about a microsecond;
 * - a lone UTF-16 surrogate, which only a `\ud800` escape can produce (UTF-8 decoding, query
 *   strings, forms and paths never do): validators such as isEmail throw on one, and a store or
 *   log would keep text that is not Unicode. Checked once here for every string and key, and
 *   only when the text holds such an escape.
 */
export function jsonBodyParser(fastify: FastifyInstance): FastifyBodyParser<Buffer> {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  return (request, body, done) => {
    const text = body.toString('utf8');
    if (nestedDeeperThan(text, MAX_JSON_DEPTH))
      return done(refused({ field: '', message: TOO_DEEP }));
    void parse(request, text, (error, value) => {
      const lone = !error && SURROGATE_ESCAPE.test(text) ? loneSurrogateIn(value) : undefined;
      done(lone ? refused(lone) : error, lone ? undefined : value);
    });
  };
}

function refused(error: FieldError): AppError {
  return new AppError(AppErrorCode.ValidationFailed, error.message, { errors: [error] });
}

/**
 * Counts brackets outside strings. Exact for valid JSON; on invalid JSON it may say anything,
 * and JSON.parse refuses that text anyway.
 */
function nestedDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === BACKSLASH) i += 1;
      else if (char === QUOTE) inString = false;
    } else if (char === QUOTE) {
      inString = true;
    } else if (char === OPEN_BRACE || char === OPEN_BRACKET) {
      depth += 1;
      if (depth > limit) return true;
    } else if (char === CLOSE_BRACE || char === CLOSE_BRACKET) {
      depth -= 1;
    }
  }
  return false;
}

/** The top-level field (the DTO property) holding a lone surrogate; depth is already bounded. */
function loneSurrogateIn(body: unknown): FieldError | undefined {
  const fields: [string, unknown][] =
    typeof body === 'object' && body !== null ? Object.entries(body) : [['', body]];
  const found = fields.find(([key, value]) => hasLoneSurrogate(key) || hasLoneSurrogate(value));
  if (!found) return undefined;
  return { field: LONE_SURROGATE.test(found[0]) ? '' : found[0], message: NOT_UNICODE };
}

function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return LONE_SURROGATE.test(value);
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(
    ([key, item]) => LONE_SURROGATE.test(key) || hasLoneSurrogate(item),
  );
}
