/**
 * The longest wait before a retry. Without a cap the doubling outgrows setTimeout's limit
 * (2^31−1 ms, about 24.8 days) within the allowed settings (600 s doubled 18 times), and Node then
 * fires after 1 ms: a relay that is down would be hammered instead of spared.
 */
export const MAX_RETRY_DELAY_MS = 3_600_000;

/**
 * The wait after failed attempt `attempt` (1, 2, …): firstMs · 2^(attempt−1), ±25 % so that
 * retries spread out (a relay coming back is not hit by every mail at once), at most
 * MAX_RETRY_DELAY_MS.
 */
export function retryDelayMs(firstMs: number, attempt: number, random = Math.random): number {
  const base = firstMs * 2 ** (attempt - 1);
  return Math.min(Math.round(base * (0.75 + random() / 2)), MAX_RETRY_DELAY_MS);
}
