import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { Throttle } from '@nestjs/throttler';
import { ProblemResponse } from '../common/openapi/problem.schema';
import { THROTTLE_WINDOW_MS } from './throttle.limits';
import { StoreThrottlerGuard } from './store-throttler.guard';

/**
 * Limits a route to `limit` requests per client IP per minute, counted in the store (shared by
 * every instance), and documents the 429. Put only on routes that cost a password hash or that
 * are open to anyone; the authenticated hot path is never throttled.
 */
export function Throttled(limit: number): MethodDecorator & ClassDecorator {
  return applyDecorators(
    UseGuards(StoreThrottlerGuard),
    Throttle({ default: { limit, ttl: THROTTLE_WINDOW_MS } }),
    ApiTooManyRequestsResponse({
      description: 'Too many requests from this client; see Retry-After',
      type: ProblemResponse,
    }),
  );
}
