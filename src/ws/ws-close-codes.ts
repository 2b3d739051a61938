/**
 * The close codes /ws sends, with what they mean to a client. 4xxx is the application range of
 * RFC 6455 §7.4.2; ours are 4000 + the HTTP status of the same meaning.
 */
export const WsCloseCode = {
  /** The ticket was missing, invalid, expired or used; or the session ended. Do not retry as is. */
  Unauthorized: 4401,
  /** A newer socket of the same session or user took this one's place (beyond the caps). */
  TooManySockets: 4429,
  /** RFC 6455: the store could not be asked; retry with a new ticket after a moment. */
  TryAgainLater: 1013,
} as const;

/** One line per close code, for the OpenAPI description of GET /ws. */
export const WS_CLOSE_CODE_MEANINGS: Record<number, string> = {
  [WsCloseCode.Unauthorized]:
    'the ticket is missing, invalid, expired or already used, or the session ended (logout, ' +
    'revocation, password change, expiry): get a new ticket only after signing in again',
  [WsCloseCode.TooManySockets]:
    'the session or the user opened more sockets than allowed, and this was the oldest',
  [WsCloseCode.TryAgainLater]: 'the service could not check the ticket now: retry shortly',
};
