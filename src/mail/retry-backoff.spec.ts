import { MAX_RETRY_DELAY_MS, retryDelayMs } from './retry-backoff';

describe('retryDelayMs', () => {
  it('doubles from the first delay, within ±25 %', () => {
    expect([1, 2, 3].map((n) => retryDelayMs(2000, n, () => 0.5))).toEqual([2000, 4000, 8000]);
    expect(retryDelayMs(2000, 1, () => 0)).toBe(1500);
    expect(retryDelayMs(2000, 1, () => 0.999999)).toBe(2500);
  });

  it('never waits longer than an hour, so setTimeout never overflows', () => {
    // The largest settings: MAIL_RETRY_DELAY_MS=600000, MAIL_MAX_ATTEMPTS=20.
    for (let attempt = 1; attempt < 20; attempt++) {
      expect(retryDelayMs(600_000, attempt, () => 0.999999)).toBeLessThanOrEqual(
        MAX_RETRY_DELAY_MS,
      );
    }
    expect(retryDelayMs(600_000, 19, () => 0)).toBe(MAX_RETRY_DELAY_MS);
    expect(MAX_RETRY_DELAY_MS).toBeLessThan(2 ** 31 - 1);
  });
});
