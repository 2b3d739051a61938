import { getSchemaPath } from '@nestjs/swagger';
import type { PathItemObject } from '@nestjs/swagger';
import { FastifyInstance } from 'fastify';
import { LivenessDto } from './dto/health.dto';

/** The liveness probe's path: served by Fastify itself, outside Nest's router. */
export const LIVENESS_PATH = '/health/live';

const ALIVE = { status: 'ok' } as const;

/**
 * `GET /health/live` as a plain Fastify route, registered before Nest's routes. It is public,
 * reads nothing and cannot fail, so Nest's per-request machinery (execution context, three
 * guards that all let a public route through, pipes, interceptors, the promise chain around
 * them) bought nothing here and was ~27 % of its CPU (bench/README.md). Everything else a
 * request gets is Fastify's instance-wide hooks, which run for this route as for any other:
 * request id, request context, security headers, CORS, the 503 while shutting down, the
 * request line (at debug, as a probe) and the metrics per route template.
 * Its access decision ("public") is in the access manifest test, its document below.
 */
export function registerLivenessRoute(fastify: FastifyInstance): void {
  fastify.get(
    LIVENESS_PATH,
    {
      // fast-json-stringify instead of JSON.stringify: the one shape this route ever sends.
      schema: {
        response: {
          200: { type: 'object', properties: { status: { type: 'string' } } },
        },
      },
    },
    (_request, reply) => {
      void reply.code(200).send(ALIVE);
    },
  );
}

/**
 * The route's OpenAPI path item, as the controller decorators described it: Swagger only sees
 * Nest's routes, so setupSwagger adds this one by hand (as it does `/ws`).
 */
export function livenessPath(): PathItemObject {
  return {
    get: {
      description: 'Never touches the store: restart the process only when this fails.',
      operationId: 'getLiveness',
      parameters: [],
      responses: {
        200: {
          description: 'Alive',
          content: { 'application/json': { schema: { $ref: getSchemaPath(LivenessDto) } } },
        },
      },
      summary: 'Liveness: the process answers',
      tags: ['health'],
    },
  };
}
