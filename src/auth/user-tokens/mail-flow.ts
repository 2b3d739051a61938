import { ThrottlerStorage } from '@nestjs/throttler';

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
