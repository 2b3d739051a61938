import { Problem } from '../errors/problem';

/** RFC 6749 §5.2 / RFC 6750 §3.1 error codes, as the RFC endpoints' errors carry them. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'access_denied'
  | 'temporarily_unavailable'
  | 'server_error';

/** A problem as an OAuth error response: the RFC members first, the RFC 9457 ones kept. */
export type OAuthProblem = { error: OAuthErrorCode; error_description: string } & Problem;

/**
 * The error response of an OAuth endpoint. RFC 6749 §5.2 requires `application/json` with an
 * `error` member, and standard clients check both (oauth4webapi reads the `error` of a 4xx only
 * when the content type is exactly application/json): so these routes answer application/json,
 * and keep every problem member as an extension, so Tessera's own clients read them as anywhere.
 * `challenge` is the WWW-Authenticate header already chosen (RFC 6750 §3.1 names the error there).
 */
export function oauthProblem(problem: Problem, challenge: string | undefined): OAuthProblem {
  return {
    error: oauthErrorOf(problem.status, challenge),
    error_description: problem.detail.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '').slice(0, 200),
    ...problem,
  };
}

function oauthErrorOf(status: number, challenge = ''): OAuthErrorCode {
  if (challenge.includes('error="invalid_token"')) return 'invalid_token';
  if (challenge.includes('error="insufficient_scope"')) return 'insufficient_scope';
  // No credentials at all: the client (a resource server, authenticating with its bearer
  // token, RFC 7662 §2.1) did not authenticate, which is §5.2's invalid_client.
  if (status === 401) return 'invalid_client';
  if (status === 403) return 'access_denied';
  // No OAuth code means "slow down" or "try later" at these endpoints; Retry-After says when.
  if (status === 429 || status === 503) return 'temporarily_unavailable';
  if (status >= 500) return 'server_error';
  return 'invalid_request';
}
