import { MailMessage } from '../mail-message';
import { MailTransport, PermanentMailError } from '../mail-transport';

/**
 * Production without SMTP_URL, which start-up allows only while every mail flow is off: a mail
 * that comes anyway is dropped, never written anywhere (its link holds a single-use token, and
 * files on a server reach nobody). The queue gives it up at once and logs and audits it as
 * MAIL_FAILED with the reason `NO_RELAY`, without its address, text or link.
 */
export class DiscardMailTransport implements MailTransport {
  send(_message: MailMessage): Promise<void> {
    return Promise.reject(new PermanentMailError('NO_RELAY'));
  }

  close(): void {
    // Nothing was opened.
  }
}
