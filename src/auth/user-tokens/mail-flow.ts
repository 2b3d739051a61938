import { ThrottlerStorage } from '@nestjs/throttler';
import type { Logger } from 'pino';

/**
 * Runs the part of a mail flow that comes after the answer (look-up, token, mail), so the answer
 * is the same, in the same time, whatever happens here; a failure is logged, never thrown.
 */
export function inBackground(logger: Logger, failure: string, work: () => Promise<void>): void {
  work().catch((error: unknown) => {
    // Name only: a store error may quote its command, never a token or address here.
    const reason = error instanceof Error ? error.name : 'unknown error';
    logger.error({ reason }, failure);
  });
}

/**
 * Counts one mail on the account's budget, over every IP and instance (the throttler's store,
 * a counter name of its own): false when the budget is spent. Keyed by user id, so no spelling
 * of the address is a second budget.
 */
export async function withinAccountBudget(
  throttler: ThrottlerStorage,
  userId: string,
  budget: { limit: number; windowMs: number },
  counter: string,
): Promise<boolean> {
  const { limit, windowMs } = budget;
  const hit = await throttler.increment(userId, windowMs, limit, windowMs, counter);
  return !hit.isBlocked;
}
