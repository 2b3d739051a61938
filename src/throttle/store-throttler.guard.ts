import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import { AppError, AppErrorCode } from '../common/errors/app-error';

/**
 * @nestjs/throttler's guard, answering like every other 429 of the service: our problem+json
 * with a plain `Retry-After` in seconds. The stock guard throws a bare ThrottlerException and
 * sets `Retry-After-<name>` for named throttlers; headers are off in ThrottleModule, and this
 * guard throws an AppError that the problem-details filter renders.
 */
@Injectable()
export class StoreThrottlerGuard extends ThrottlerGuard {
  protected override throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new AppError(AppErrorCode.TooManyRequests, 'Too many requests; slow down.', {
      retryAfterSeconds: Math.max(1, detail.timeToBlockExpire),
    });
  }
}
