import { NestFastifyApplication } from '@nestjs/platform-fastify';

/** @fastify/cors's options, named through Nest (the plugin is not our direct dependency). */
type CorsOptions = NonNullable<Parameters<NestFastifyApplication['enableCors']>[0]>;

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
    exposedHeaders: ['Retry-After', 'WWW-Authenticate'],
  };
}
