/** A rendered mail, ready for a transport. Its text and html may hold a token: never log them. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** A mail on its way: the message plus what logs and the audit trail may say about it. */
export interface OutgoingMail {
  message: MailMessage;
  /** The template it was made from, e.g. `email-verification`. */
  kind: string;
  /** Whom it concerns (the audit event's user), never the address. */
  userId: string | null;
}
