import { FastifyInstance } from 'fastify';
import { MetricsService } from './metrics.service';

/** Counts and times every answered request by its route template (404s as `unmatched`). */
export function recordRequestMetrics(fastify: FastifyInstance, metrics: MetricsService): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}
