/**
 * Requests per client IP (IPv6 by /64) per minute on the unauthenticated or password-checking
 * routes, before any brute-force counting. They bound the argon2 work one client can cause
 * (~22 ms of CPU per hash or verify) and are generous on purpose: a whole office behind one NAT
 * signs in at the start of a day, and single-page apps refresh often. Failed-login locks are the
 * job of the brute-force counters, not of these.
 */
export const THROTTLE_WINDOW_MS = 60_000;

export const THROTTLE_LIMITS = {
  /** Each one hashes a password. */
  register: 60,
  /** Each one verifies a password (or a dummy hash). */
  login: 120,
  /** Cheap (a hash of a token and one store script), and busy tabs refresh concurrently. */
  refresh: 300,
  /** Two argon2 runs each; a user changes a password rarely. */
  password: 30,
  /** Public (RFC 7009): a signature check or two store reads each; clients revoke rarely. */
  revoke: 300,
  /**
   * The session list reads every session of the user (at most MAX_SESSIONS_PER_USER); a page
   * shows it now and then, never in a loop.
   */
  sessions: 120,
  /**
   * Per authenticated user, not per IP: each ticket is a signature and opens a socket that may
   * displace an older one (4429). One a second covers reconnects and a browser full of tabs;
   * without it one session churned through hundreds of sockets.
   */
  wsTicket: 60,
  /** A hash and one store call each; a token is 256 random bits, so this only bounds load. */
  emailVerify: 60,
  /**
   * Public and answered alike for every email; each may send a mail. Also limited per account
   * (EMAIL_RESEND_PER_ACCOUNT), so rotating IPs cannot flood one inbox.
   */
  emailVerifyResend: 20,
  /**
   * Public and answered alike for every email; each may send a mail. Also limited per account
   * (PASSWORD_FORGOT_PER_ACCOUNT), so rotating IPs cannot flood one inbox.
   */
  passwordForgot: 20,
  /** One argon2 hash for a good token (none for a bad one); a token is 256 random bits. */
  passwordReset: 30,
  /**
   * Public: a signature check and a few store calls per code. The challenge (5 codes) and the
   * user's second-factor lock bound guessing; this only bounds load.
   */
  loginMfa: 60,
  /** Enrolment, confirmation, disabling, renewing codes: rare, some verify a password. */
  mfa: 30,
  /**
   * Public: each stores a 2-minute challenge. A sign-in page asks once per attempt; this bounds
   * how many challenges one client keeps alive (240 at most).
   */
  loginPasskeyOptions: 120,
  /**
   * Public: a signature check and a few store calls. A passkey's key cannot be guessed, so this
   * only bounds load; every refusal is audited.
   */
  loginPasskey: 60,
  /** Per user: registering (a password check), listing and removing passkeys: rare. */
  passkeys: 30,
} as const;

/** Verification mails one account can be sent per hour through resend, from any IPs. */
export const EMAIL_RESEND_PER_ACCOUNT = { limit: 3, windowMs: 3_600_000 } as const;

/** Reset mails one account can be sent per hour, from any IPs and any spelling of its email. */
export const PASSWORD_FORGOT_PER_ACCOUNT = { limit: 3, windowMs: 3_600_000 } as const;
