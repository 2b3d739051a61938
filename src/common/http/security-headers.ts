import { FastifyInstance, FastifyReply } from 'fastify';
import helmet, { HelmetOptions } from 'helmet';
import { IncomingMessage, ServerResponse } from 'node:http';

/** Swagger UI lives under these paths (a query string included); everything else is the JSON API. */
const DOCS_PATH = /^\/docs(\/|\?|$)/;
/** The passkey page and its script (src/auth/passkeys/passkey-demo.controller.ts). */
const PASSKEY_DEMO_PATH = /^\/passkeys\/demo(\.js)?(\?|$)/;

/** One year, subdomains included: once a browser has seen https here, it never tries http. */
export const HSTS_VALUE = 'max-age=31536000; includeSubDomains';

/**
 * The API serves JSON only: nothing in a response may load, run or frame anything. A response
 * that is somehow rendered as HTML (a reflected string, a sniffed type) still cannot do harm.
 */
const API_CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
  },
};

/**
 * Swagger UI at /docs loads its scripts, stylesheet and images from /docs itself, but styles
 * itself inline (a <style> block and React style attributes): 'unsafe-inline' for styles only,
 * on these pages only. Its scripts are all external files, so script-src stays 'self'. "Try it
 * out" calls the API on the same origin (connect-src 'self').
 */
const DOCS_CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
};

/**
 * The passkey page: its one script from this origin ('self', no inline code), fetch to the API
 * on this origin, nothing else (no styles, images, frames or form posts). WebAuthn itself needs
 * no CSP source. Only these two paths get it; the API keeps API_CSP.
 */
const PASSKEY_DEMO_CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    connectSrc: ["'self'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
  },
};

const HELMET_BASE = {
  frameguard: { action: 'deny' as const },
  // Helmet would send HSTS on plain http too; it is added below, only when the request was https.
  strictTransportSecurity: false,
};

type Headers = Record<string, string>;

/**
 * The headers one helmet configuration sets. Helmet is built and run once here, at start-up:
 * with static directives its output never varies, and @fastify/helmet instead constructs a new
 * helmet middleware on every request (measured: ~10 % of a request's CPU on this machine).
 */
function headersOf(options: HelmetOptions): Headers {
  const headers: Headers = {};
  const response = {
    setHeader: (name: string, value: string) => (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => delete headers[name.toLowerCase()],
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, () => undefined);
  return headers;
}

/**
 * The security headers of every JSON answer, lower-case names. Also sent by the answers made
 * before any hook runs (framework-errors.ts: the router's; client-errors.ts: Node's parser's).
 */
export const API_SECURITY_HEADERS: Readonly<Headers> = Object.freeze(
  headersOf({ ...HELMET_BASE, contentSecurityPolicy: API_CSP }),
);

/** The description of the symbol under which Fastify 5 keeps a reply's headers. */
const REPLY_HEADERS = 'fastify.reply.headers';
let replyHeadersSymbol: symbol | null | undefined;

/**
 * The object in which Fastify keeps the headers a reply will send (lower-case names), or null if
 * this Fastify keeps them elsewhere. Looked up once, by the symbol's description.
 */
export function replyHeaderObject(reply: FastifyReply): Headers | null {
  replyHeadersSymbol ??=
    Object.getOwnPropertySymbols(reply).find((s) => s.description === REPLY_HEADERS) ?? null;
  const headers =
    replyHeadersSymbol && (reply as unknown as Record<symbol, unknown>)[replyHeadersSymbol];
  return typeof headers === 'object' && headers !== null ? (headers as Headers) : null;
}

/**
 * Adds a fixed set of lower-case headers to a reply. Fastify's `reply.headers(set)` lower-cases
 * each name and adds it as one more property, one at a time: for the eleven headers every
 * response carries that was ~1.7 µs of a ~26 µs `GET /health/live` (bench/README.md). The set is
 * lower case already, so it is copied into the reply's header object in one Object.assign, which
 * has the same effect (a header set earlier under the same name is replaced). Should a Fastify
 * release keep the headers elsewhere, the public `reply.headers` is used (and
 * security-headers.spec.ts fails, to say so).
 */
function setHeaders(reply: FastifyReply, headers: Headers): void {
  const target = replyHeaderObject(reply);
  if (target) Object.assign(target, headers);
  else void reply.headers(headers);
}

/**
 * Security headers on every response, errors and 404s included: nosniff, no framing, a strict
 * CSP for the API and a relaxed one scoped to Swagger UI, no-referrer, and HSTS only over TLS
 * (RFC 6797 §7.2: HSTS on plain http is ignored, and would pin a development host to https;
 * `request.protocol` is "https" on a TLS socket or, with TRUST_PROXY, per X-Forwarded-Proto).
 */
export function registerSecurityHeaders(fastify: FastifyInstance): void {
  const api = API_SECURITY_HEADERS;
  const docs = headersOf({ ...HELMET_BASE, contentSecurityPolicy: DOCS_CSP });
  const demo = headersOf({ ...HELMET_BASE, contentSecurityPolicy: PASSKEY_DEMO_CSP });
  fastify.addHook('onRequest', (request, reply, done) => {
    const url = request.url;
    setHeaders(reply, DOCS_PATH.test(url) ? docs : PASSKEY_DEMO_PATH.test(url) ? demo : api);
    if (request.protocol === 'https') void reply.header('strict-transport-security', HSTS_VALUE);
    done();
  });
}
