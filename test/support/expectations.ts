import { HttpResponse } from './http';

/**
 * Asserts an RFC 9457 problem response with the given status. The OAuth RFC endpoints
 * (/auth/revoke, /auth/introspect) send the same problem as an RFC 6749 §5.2 error response:
 * `application/json` with an `error` member.
 */
export function expectProblem(response: HttpResponse, status: number): void {
  const type = response.headers.get('content-type') ?? '';
  const oauth = type.startsWith('application/json');
  expect({ status: response.status, type }).toEqual({
    status,
    type: oauth ? type : expect.stringContaining('application/problem+json'),
  });
  if (oauth) expect(response.body).toEqual(expect.objectContaining({ error: expect.any(String) }));
  expect(response.body).toEqual(
    expect.objectContaining({
      type: expect.any(String),
      title: expect.any(String),
      status,
      detail: expect.any(String),
    }),
  );
  expect(response.text).not.toMatch(/at .+\.(ts|js):\d+/); // never a stack trace
}

/** Asserts the 401 of a rejected bearer token (RFC 6750 §3). */
export function expectInvalidToken(response: HttpResponse): void {
  expectProblem(response, 401);
  expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
}

/** Asserts the 503 of a store that cannot be reached: a problem that says when to retry. */
export function expectStoreUnavailable(response: HttpResponse): void {
  expectProblem(response, 503);
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
}

/** Sends `request`, asserts that it was answered within `ms`, and returns the response. */
export async function answeredWithin(
  ms: number,
  request: () => Promise<HttpResponse>,
): Promise<HttpResponse> {
  const started = performance.now();
  const response = await request();
  expect(performance.now() - started).toBeLessThan(ms);
  return response;
}
