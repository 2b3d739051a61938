import { applyDecorators, UseGuards } from '@nestjs/common';
import { Throttle, ThrottlerGetTrackerFunction } from '@nestjs/throttler';
import { AppErrorCode } from '../common/errors/app-error';
import { ApiProblem, ApiStoreUnavailable } from '../common/openapi/api-problem.decorator';
import { THROTTLE_WINDOW_MS } from './throttle.limits';
import { StoreThrottlerGuard } from './store-throttler.guard';

/** Whom a throttled route counts: the client IP (IPv6 by /64), or the authenticated caller. */
export type ThrottleKey = 'client-ip' | 'caller';

/**
 * The authenticated user, as JwtAuthGuard left it (global guards run before route guards). Per
 * user rather than per IP: an office behind one NAT must not share one budget, and a user's many
 * sessions must not multiply it.
 */
const byCaller: ThrottlerGetTrackerFunction = (request) => {
  const userId = (request.user as { userId?: unknown } | undefined)?.userId;
  if (typeof userId !== 'string') throw new Error('Throttled(…, "caller") on an anonymous route');
  return `user:${userId}`;
};

function tracker(per: ThrottleKey): ThrottlerGetTrackerFunction | undefined {
  switch (per) {
    case 'client-ip':
      return undefined; // the guard's own: the client IP as Fastify's trust-proxy rules give it
    case 'caller':
      return byCaller;
  }
}

/**
 * Limits a route to `limit` requests per client IP (or per authenticated caller) per minute,
 * counted in the store (shared by every instance), and documents the 429. Put only on routes that
 * cost a password hash, that are open to anyone, or that hand out something scarce (WebSocket
 * tickets); the authenticated hot path is never throttled.
 */
export function Throttled(
  limit: number,
  per: ThrottleKey = 'client-ip',
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    UseGuards(StoreThrottlerGuard),
    Throttle({ default: { limit, ttl: THROTTLE_WINDOW_MS, getTracker: tracker(per) } }),
    ApiProblem(
      `More than ${limit} requests a minute from this ${per === 'caller' ? 'user' : 'client IP'}: ` +
        'wait `Retry-After` seconds',
      { code: AppErrorCode.TooManyRequests, name: 'throttled' },
    ),
    ApiStoreUnavailable(),
  );
}
