import { createTransport } from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { MailMessage } from '../mail-message';
import { MailTransport } from '../mail-transport';

/**
 * Mails over SMTP (nodemailer), one pooled connection kept open between mails. Timeouts are
 * short: a relay that hangs costs a retry of the queue, never a request (nothing waits on it).
 */
export class SmtpMailTransport implements MailTransport {
  private readonly transporter: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    this.transporter = createTransport({
      url: smtpUrl,
      pool: true,
      maxConnections: 2,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  }

  async send(message: MailMessage): Promise<void> {
    await this.transporter.sendMail({ from: this.from, ...message });
  }

  close(): void {
    this.transporter.close();
  }
}
