import { AppErrorCode } from '../errors/app-error';
import { ERROR_SPECS, problemType } from '../errors/error-status';

/**
 * Problems raised below the application's own code, with the titles they are sent with: by
 * Fastify's router and body parser, Node's HTTP parser (408, 431) and the catch-all (500). See
 * problem-details.filter.ts, framework-errors.ts and client-errors.ts.
 */
export enum HttpProblemCode {
  BadRequest = 'bad_request',
  RequestTimeout = 'request_timeout',
  PayloadTooLarge = 'payload_too_large',
  UriTooLong = 'uri_too_long',
  UnsupportedMediaType = 'unsupported_media_type',
  RequestHeaderFieldsTooLarge = 'request_header_fields_too_large',
  InternalError = 'internal_error',
}

export type ProblemCode = AppErrorCode | HttpProblemCode;

const HTTP_SPECS: Record<HttpProblemCode, { status: number; title: string }> = {
  [HttpProblemCode.BadRequest]: { status: 400, title: 'Bad request' },
  [HttpProblemCode.RequestTimeout]: { status: 408, title: 'Request Timeout' },
  [HttpProblemCode.PayloadTooLarge]: { status: 413, title: 'Payload too large' },
  [HttpProblemCode.UriTooLong]: { status: 414, title: 'URI too long' },
  [HttpProblemCode.UnsupportedMediaType]: { status: 415, title: 'Unsupported media type' },
  [HttpProblemCode.RequestHeaderFieldsTooLarge]: {
    status: 431,
    title: 'Request Header Fields Too Large',
  },
  [HttpProblemCode.InternalError]: { status: 500, title: 'Internal server error' },
};

/**
 * What each problem means to a client, and a `detail` as the service words it. A Record over
 * every code: a new error code does not compile until it is documented here.
 */
const MEANINGS: Record<ProblemCode, { when: string; detail: string }> = {
  [AppErrorCode.ValidationFailed]: {
    when: 'the body or query breaks the rules; `errors` lists every field',
    detail: 'email must be an email address; password is too common',
  },
  [AppErrorCode.Unauthenticated]: {
    when: 'no `Authorization` header',
    detail: 'An access token is required (Authorization: Bearer <token>).',
  },
  [AppErrorCode.InvalidToken]: {
    when: 'the access token is refused (expired, revoked, session ended, …): refresh once',
    detail: 'token expired',
  },
  [AppErrorCode.InvalidCredentials]: {
    when: 'a login failed (same answer whether or not the user exists)',
    detail: 'Invalid credentials',
  },
  [AppErrorCode.InvalidRefreshToken]: {
    when: 'the refresh token is missing, malformed, expired or its session ended: sign in',
    detail: 'The refresh token is invalid or expired.',
  },
  [AppErrorCode.RefreshReused]: {
    when: 'a used refresh token came back: the whole session is revoked',
    detail: 'The refresh token was already used; the session has been revoked.',
  },
  [AppErrorCode.WrongPassword]: {
    when: 'the current password is wrong (do not refresh on it)',
    detail: 'The current password is wrong.',
  },
  [AppErrorCode.Forbidden]: {
    when: 'the token lacks a scope (WWW-Authenticate names it), or the change is not allowed',
    detail: 'Your token lacks a required scope (this route needs: users:write).',
  },
  [AppErrorCode.RegistrationClosed]: {
    when: '`REGISTRATION=closed`',
    detail: 'Registration is closed on this server.',
  },
  [AppErrorCode.EmailNotVerified]: {
    when: '`REQUIRE_VERIFIED_EMAIL=true` and a login with the right password of an unverified email',
    detail:
      'Verify your email address first: follow the link in the mail we sent, or ask for a new one.',
  },
  [AppErrorCode.InvalidVerificationToken]: {
    when: 'the email verification token is unknown, used, expired, or for an email changed since',
    detail: 'The verification link is invalid, used or expired; ask for a new one.',
  },
  [AppErrorCode.InvalidResetToken]: {
    when: 'the password reset token is unknown, used, expired, of a deactivated user, or the password changed since',
    detail: 'The reset link is invalid, used or expired; ask for a new one.',
  },
  [AppErrorCode.MfaRequired]: {
    when: 'the password was right and the user has a second factor: finish at `POST /auth/login/mfa` with `mfa_token`',
    detail: 'Enter the code from your authenticator app (or a recovery code).',
  },
  [AppErrorCode.MfaEnrolmentRequired]: {
    when: 'an enrolment-only token (`scope` `mfa:enrol`, `MFA_REQUIRED_ROLES`) on a route other than enrolment',
    detail:
      'Your role requires a second factor: enrol at POST /auth/mfa/totp (or register a passkey at POST /auth/passkeys) first.',
  },
  [AppErrorCode.InvalidMfaToken]: {
    when: 'the `mfa_token` is malformed, expired, used, or spent its 5 attempts: sign in again',
    detail: 'The MFA token is invalid, used or expired; sign in again.',
  },
  [AppErrorCode.InvalidMfaCode]: {
    when: 'the code is wrong, used already, or from too far in the past or future (do not refresh on it)',
    detail: 'The code is wrong or was used already.',
  },
  [AppErrorCode.MfaAlreadyEnabled]: {
    when: 'a second factor is on already: disable it first to enrol a new one',
    detail: 'A second factor is on already.',
  },
  [AppErrorCode.MfaNotEnabled]: {
    when: 'the account has no second factor to disable or renew codes of',
    detail: 'This account has no second factor.',
  },
  [AppErrorCode.MfaEnrolmentNotStarted]: {
    when: 'a confirmation without an enrolment in progress (none, or older than 10 minutes)',
    detail: 'No enrolment in progress; start one at POST /auth/mfa/totp.',
  },
  [AppErrorCode.RecoveryCodesChanged]: {
    when: 'another renewal of the recovery codes won a race with this one: its codes are the ones that work; renew again for a set of your own',
    detail:
      'Another request renewed the recovery codes at the same time: its codes are the ones that work. Renew again for a set shown here.',
  },
  [AppErrorCode.InvalidPasskey]: {
    when: 'a passkey sign-in was refused: unknown or removed passkey, wrong origin or RP ID, an unknown, used or expired challenge, no user verification, a bad signature or a counter that went back (one answer for all)',
    detail: 'The passkey could not sign you in; ask for new options and try again.',
  },
  [AppErrorCode.InvalidPasskeyRegistration]: {
    when: 'a passkey registration was refused: no registration in progress (or it expired, or was used), wrong origin or RP ID, no user verification, or an attestation that does not verify',
    detail: 'The passkey could not be registered; ask for new options and try again.',
  },
  [AppErrorCode.PasskeyAlreadyRegistered]: {
    when: 'the credential is registered already, to this account or to another (a credential id serves one account; which one holds it is not told)',
    detail: 'This passkey is registered already.',
  },
  [AppErrorCode.TooManyPasskeys]: {
    when: 'the account has the most passkeys allowed (20): remove one first',
    detail: 'This account has 20 passkeys, the most allowed; remove one first.',
  },
  [AppErrorCode.InvalidDpopProof]: {
    when: 'login or refresh with a `DPoP` proof that fails (signature, `typ`, `alg`, `htm`, `htu`, `iat`, replayed `jti`), or a DPoP-bound session refreshed without a proof by its key',
    detail: 'DPoP proof refused: proof htu does not match the URL.',
  },
  [AppErrorCode.UseDpopNonce]: {
    when: '`DPOP_NONCE_REQUIRED=true` and a proof without a fresh nonce: sign it again with the `DPoP-Nonce` header',
    detail: 'Sign the DPoP proof again with the nonce of the DPoP-Nonce header.',
  },
  [AppErrorCode.CrossSiteRequest]: {
    when: 'the refresh cookie on a request a cross-site form could send, or a foreign Origin',
    detail: 'The refresh cookie needs a JSON body or an X-Requested-With header.',
  },
  [AppErrorCode.NotFound]: {
    when: 'no such user, not one of your sessions, an id that is not a UUID, an unknown path',
    detail: 'No such user.',
  },
  [AppErrorCode.EmailTaken]: {
    when: 'the email is registered (case-insensitively)',
    detail: 'That email is already registered.',
  },
  [AppErrorCode.UsernameTaken]: {
    when: 'the username is taken (case-insensitively)',
    detail: 'That username is taken.',
  },
  [AppErrorCode.LastAdmin]: {
    when: 'the change would leave no active admin',
    detail: 'This is the last active admin; make another admin first.',
  },
  [AppErrorCode.UpgradeRequired]: {
    when: '`GET /ws` without `Upgrade: websocket` (it speaks WebSocket only); `Upgrade: websocket`',
    detail:
      'GET /ws opens a WebSocket: send Upgrade: websocket, with ?ticket= from POST /auth/ws-ticket.',
  },
  [AppErrorCode.TooManyRequests]: {
    when: 'throttled, or a brute-force lock holds; wait `Retry-After` seconds',
    detail: 'Too many requests; slow down.',
  },
  [AppErrorCode.StoreUnavailable]: {
    when: 'the store (Redis) cannot answer; `Retry-After: 5`',
    detail: 'The session store is unavailable; try again shortly.',
  },
  [HttpProblemCode.BadRequest]: {
    when: 'the body is not valid JSON, or the URL is not validly percent-encoded',
    detail: "Body is not valid JSON but content-type is set to 'application/json'",
  },
  [HttpProblemCode.RequestTimeout]: {
    when: 'the request did not arrive in time (connection closed)',
    detail: 'The request took too long to arrive.',
  },
  [HttpProblemCode.PayloadTooLarge]: {
    when: 'the body is over 64 KiB',
    detail: 'Request body is too large',
  },
  [HttpProblemCode.UriTooLong]: {
    when: 'a path parameter is over 100 characters',
    detail: 'A path parameter is longer than any valid value.',
  },
  [HttpProblemCode.UnsupportedMediaType]: {
    when: 'a body that is not JSON (or a form, on revoke and introspect), or not UTF-8',
    detail: 'Send the body as application/json, not text/plain.',
  },
  [HttpProblemCode.RequestHeaderFieldsTooLarge]: {
    when: 'headers over 16 KiB (connection closed)',
    detail: 'The request headers are too large (a token or cookie of this size is never valid).',
  },
  [HttpProblemCode.InternalError]: {
    when: 'a defect; quote the request id in `detail`',
    detail: `The request failed; quote request id 1f6d16e3-04d6-410b-ba73-5018f47d79eb when reporting it.`,
  },
};

export interface ProblemTypeInfo {
  code: ProblemCode;
  type: string;
  status: number;
  title: string;
  when: string;
  detail: string;
}

const SPECS: Record<ProblemCode, { status: number; title: string }> = {
  ...ERROR_SPECS,
  ...HTTP_SPECS,
};

/** Every problem type the service sends, by status. */
export const PROBLEM_TYPES: readonly ProblemTypeInfo[] = (
  [...Object.values(AppErrorCode), ...Object.values(HttpProblemCode)] as ProblemCode[]
)
  .map((code) => ({ code, type: problemType(code), ...SPECS[code], ...MEANINGS[code] }))
  .sort((a, b) => a.status - b.status);

export function problemTypeInfo(code: ProblemCode): ProblemTypeInfo {
  return PROBLEM_TYPES.find((p) => p.code === code)!;
}

/** The list for the document: a Markdown table of every type with its status and meaning. */
export function problemTypesTable(): string {
  const rows = PROBLEM_TYPES.map(
    (p) =>
      `| \`${p.type.replace('https://tessera.dev/problems/', '')}\` | ${p.status} | ${p.title} | ${p.when} |`,
  );
  return ['| `type` | status | title | when |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
