import { Role } from '../users/user';

/** Who a token is about: enough to sign it, nothing the tokens module must look up. */
export interface TokenSubject {
  id: string;
  roles: Role[];
  /** Every scope the user may hold now: a session's tokens carry (granted at login) ∩ these. */
  scopes: string[];
  /** Whether the user's email is verified now (claim `email_verified`). */
  emailVerified: boolean;
  /**
   * The user must have a second factor (MFA_REQUIRED_ROLES): a session not signed in with one
   * (`amr` without `mfa`) refreshes into an enrolment-only one.
   */
  mfaRequired?: boolean;
}

/** Claims of an access token (header `typ: at+jwt`, `kid`). */
export interface AccessClaims {
  iss: string;
  sub: string;
  aud: string;
  /**
   * RFC 9068 §2.2; always `tessera` (ACCESS_TOKEN_CLIENT_ID). Optional on the way in only: tokens
   * signed before it was added are accepted until they expire (see access-claims.ts).
   */
  client_id?: string;
  iat: number;
  nbf: number;
  exp: number;
  jti: string;
  sid: string;
  roles: Role[];
  scope: string;
  /**
   * OpenID Connect's claim: the user proved the email (as of the token's issue; a refresh brings
   * it up to date). Optional on the way in: tokens issued before it existed lack it.
   */
  email_verified?: boolean;
  /**
   * RFC 8176 authentication methods of the session: `["pwd"]`, or `["pwd", "otp", "mfa"]` after
   * a second factor. Optional on the way in: tokens issued before it existed lack it.
   */
  amr?: string[];
  /** RFC 9449 §6: the thumbprint of the DPoP key a bound token must be presented with. */
  cnf?: { jkt: string };
}

/** The token response of login and refresh (RFC 6749 §5.1 names, plus our session fields). */
export interface TokenResponse {
  access_token: string;
  /** `DPoP` for a session bound to a DPoP key (send `Authorization: DPoP <token>` + a proof). */
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  refresh_token: string;
  refresh_expires_in: number;
  scope: string;
  session_id: string;
}

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

/** The caller of an authenticated request, as the JWT strategy leaves it on the request. */
export interface AuthenticatedUser {
  userId: string;
  sessionId: string;
  jti: string;
  roles: Role[];
  scopes: string[];
  /** Epoch seconds. */
  exp: number;
}
