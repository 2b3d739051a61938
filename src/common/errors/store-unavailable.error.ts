/** The store (Redis) cannot be reached. Rendered as 503: Tessera fails closed. */
export class StoreUnavailableError extends Error {
  constructor(cause?: unknown) {
    super('The session store is unavailable', { cause });
    this.name = 'StoreUnavailableError';
  }
}
