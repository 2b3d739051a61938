import { NestFastifyApplication } from '@nestjs/platform-fastify';

/** @fastify/cors's options, named through Nest (the plugin is not our direct dependency). */
type CorsOptions = NonNullable<Parameters<NestFastifyApplication['enableCors']>[0]>;

/** The methods of the API's routes; a test preflights each of them. */
export const CORS_METHODS = ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'] as const;

/**
 * CORS for exactly the CORS_ORIGINS, with credentials (the refresh cookie). The origin is decided
 * per request: an allowed origin is echoed back, any other origin (or none) gets no CORS header
 * at all. A plain list would still send `Access-Control-Allow-Credentials: true` to every origin;
 * harmless without Allow-Origin, but it tells a prober more than it needs to know.
 */
export function corsOptions(allowedOrigins: readonly string[]): CorsOptions {
  const allowed = new Set(allowedOrigins);
  return {
    origin: (origin, callback) => {
      callback(null, origin !== undefined && allowed.has(origin) ? origin : false);
    },
    credentials: true,
    // Every method the API uses (the plugin's default is GET,HEAD,POST: a page could not end a
    // session or edit a user), and the request headers its clients send: the bearer token, JSON,
    // and X-Requested-With, which makes a cookie refresh a non-simple request.
    methods: [...CORS_METHODS],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Requested-With'],
    exposedHeaders: ['Retry-After', 'WWW-Authenticate'],
    // Browsers cap this anyway (Chromium at 2 h); 10 min keeps preflights rare but changes quick.
    maxAge: 600,
  };
}
