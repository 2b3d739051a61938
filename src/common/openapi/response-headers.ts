import type { HeaderObject, HeadersObject } from '@nestjs/swagger';
import { EXAMPLE_REFRESH_TOKEN, EXAMPLE_REFRESH_TTL } from './examples';

/** Response headers of the OpenAPI document, as the service sends them. */
const stringHeader = (description: string, example: string): HeaderObject => ({
  description,
  schema: { type: 'string' },
  example,
});

/** `Cache-Control` with the value the route sends. */
export function cacheControl(value: string, description: string): HeadersObject {
  return { 'Cache-Control': stringHeader(description, value) };
}

/** Every answer that carries a token, and every error: never stored by a cache. */
export const NO_STORE = cacheControl('no-store', 'Never cached: the answer carries a token.');

/** Every answer to an access token (JwtAuthGuard): the caller's own data, never stored by a cache. */
export const PRIVATE_ANSWER = cacheControl(
  'no-store',
  "Never cached: the answer is the caller's own (every route that takes an access token).",
);

const REFRESH_COOKIE =
  `__Secure-refresh_token=${EXAMPLE_REFRESH_TOKEN}; Max-Age=${EXAMPLE_REFRESH_TTL}; ` +
  'Path=/auth; HttpOnly; Secure; SameSite=Strict';
const COOKIE_RULES =
  'HttpOnly, Secure, SameSite=Strict, Path=/auth, Max-Age = `refresh_expires_in`; named ' +
  '`refresh_token` and without Secure only when COOKIE_SECURE=false. Honoured by ' +
  '`POST /auth/refresh` only on a request with a JSON body or an `X-Requested-With` header.';

/** Login: the refresh cookie, and the device cookie that exempts this client from others' failures. */
export const SET_LOGIN_COOKIES: HeadersObject = {
  'Set-Cookie': stringHeader(
    `Two cookies. The refresh cookie \`__Secure-refresh_token\` holds \`refresh_token\`: ${COOKIE_RULES} ` +
      'The device cookie `__Secure-device` (HttpOnly, Secure, SameSite=Strict, ' +
      'Path=/auth, 90 days) marks this client as one that signed in as this user, so ' +
      'failed logins from elsewhere cannot lock it out (sent after a successful login), and ' +
      'names the client to the refresh grace window. A device cookie of the former ' +
      'Path=/auth/login is cleared (a third Set-Cookie).',
    REFRESH_COOKIE,
  ),
};

/** Refresh: the rotated refresh token replaces the cookie. */
export const SET_REFRESH_COOKIE: HeadersObject = {
  'Set-Cookie': stringHeader(
    `The new refresh token in the refresh cookie \`__Secure-refresh_token\`: ${COOKIE_RULES}`,
    REFRESH_COOKIE,
  ),
};

/** Logout: the refresh cookie is cleared. */
export const CLEAR_REFRESH_COOKIE: HeadersObject = {
  'Set-Cookie': stringHeader(
    'Clears the refresh cookie (`refresh_token` when COOKIE_SECURE=false).',
    '__Secure-refresh_token=; Max-Age=0; Path=/auth; Expires=Thu, 01 Jan 1970 00:00:00 GMT; ' +
      'HttpOnly; Secure; SameSite=Strict',
  ),
};

/** Descriptions of the headers of problem responses, by header name. */
export const PROBLEM_HEADER_DESCRIPTIONS: Record<string, string> = {
  'WWW-Authenticate':
    'RFC 6750 challenge. `Bearer` on every 401 (no token, a failed login or refresh, a wrong ' +
    'current password); `Bearer error="invalid_token", error_description="<reason>"` when an ' +
    'access token was presented and refused; on a 403, `Bearer error="insufficient_scope", ' +
    'scope="<the scopes the route needs>"`, only when a scope is missing.',
  'Retry-After':
    'Whole seconds (at least 1) until trying again can succeed: the end of the throttle ' +
    'block or brute-force lock on a 429, `5` on a 503.',
  'Cache-Control': 'Errors are never cached.',
};

export function problemHeader(name: string, example: string): HeaderObject {
  const numeric = name === 'Retry-After';
  return {
    description: PROBLEM_HEADER_DESCRIPTIONS[name] ?? name,
    schema: { type: numeric ? 'integer' : 'string' },
    example: numeric ? Number(example) : example,
  };
}
