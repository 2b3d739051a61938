import fastifyHelmet, { FastifyHelmetOptions } from '@fastify/helmet';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyInstance } from 'fastify';

/** Swagger UI lives under these paths; everything else is the JSON API. */
const DOCS_PATH = /^\/docs(\/|$)/;

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

const HELMET: FastifyHelmetOptions = {
  global: true,
  contentSecurityPolicy: API_CSP,
  frameguard: { action: 'deny' },
  // Helmet would send HSTS on plain http too; it is added below, only when the request was https.
  strictTransportSecurity: false,
};

/**
 * Security headers on every response, errors and 404s included: nosniff, no framing, a strict
 * CSP for the API and a relaxed one scoped to Swagger UI, no-referrer, and HSTS only over TLS.
 * Must run before any route is added (the /docs routes get their CSP when they are registered).
 */
export async function registerSecurityHeaders(app: NestFastifyApplication): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  scopeDocsPolicy(fastify);
  await app.register(fastifyHelmet, HELMET);
  addHstsOverTls(fastify);
}

/**
 * Gives the Swagger UI routes their own helmet options. Added before the plugin, so this hook
 * runs before helmet's own onRoute hook, which turns the `helmet` route option into config.
 */
function scopeDocsPolicy(fastify: FastifyInstance): void {
  fastify.addHook('onRoute', (route) => {
    if (DOCS_PATH.test(route.url)) route.helmet = { contentSecurityPolicy: DOCS_CSP };
  });
}

/**
 * HSTS means something only on an https response (RFC 6797 §7.2: ignored over http), and sent
 * on plain http it would pin a development host to https. `request.protocol` is "https" when
 * the socket is TLS or, with TRUST_PROXY, when the proxy says so in X-Forwarded-Proto.
 */
function addHstsOverTls(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    if (request.protocol === 'https') void reply.header('strict-transport-security', HSTS_VALUE);
    done();
  });
}
