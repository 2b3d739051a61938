import { Inject } from '@nestjs/common';
import { MailMessage } from './mail-message';

/** Where mails go: an SMTP relay, or .eml files in development (see mail-transport.provider). */
export interface MailTransport {
  /** Resolves once the relay accepted the mail (or the file is written); rejects otherwise. */
  send(message: MailMessage): Promise<void>;
  close(): void;
}
export const MailTransport = Symbol('MailTransport');
export const InjectMailTransport = () => Inject(MailTransport);

/**
 * A failure no retry can mend (no relay at all, or one that refused for good): the queue gives the
 * mail up at once. `code` is what the log line and MAIL_FAILED say, never the mail's content.
 */
export class PermanentMailError extends Error {
  constructor(readonly code: string) {
    super(code);
    this.name = 'PermanentMailError';
  }
}
