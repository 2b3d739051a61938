import { AddressInfo } from 'node:net';
import { ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { until } from './wait';

/**
 * A real SMTP server in the test process (the `smtp-server` package): it speaks SMTP to the app's
 * nodemailer over a socket and keeps every mail it accepts, parsed (mailparser). `failNext(n)`
 * makes it refuse the next n mails with a 451, as a relay in trouble does (or with the code given).
 */
export class TestSmtpServer {
  readonly mails: ParsedMail[] = [];
  /** Deliveries attempted (refused ones included). */
  attempts = 0;
  private refusals = 0;
  /** The reply code of those refusals: 451 (try again later) unless told. */
  private refusalCode = 451;
  /** Answers each mail this much later, as a slow relay does. */
  delayMs = 0;
  private readonly server: SMTPServer;

  private constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, _session, callback) => {
        this.attempts++;
        simpleParser(stream).then(
          async (mail) => {
            if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
            if (this.refusals > 0) {
              this.refusals--;
              const refusal = new Error(this.refusalCode >= 500 ? 'refused' : 'try again later');
              return callback(Object.assign(refusal, { responseCode: this.refusalCode }));
            }
            this.mails.push(mail);
            callback();
          },
          (error: Error) => callback(error),
        );
      },
    });
  }

  static async start(): Promise<TestSmtpServer> {
    const smtp = new TestSmtpServer();
    await new Promise<void>((resolve) => smtp.server.listen(0, '127.0.0.1', resolve));
    return smtp;
  }

  get url(): string {
    return `smtp://127.0.0.1:${(this.server.server.address() as AddressInfo).port}`;
  }

  /** Refuses the next `count` mails with `code`: 451 a relay in trouble, 5xx one refusing for good. */
  failNext(count: number, code = 451): void {
    this.refusals = count;
    this.refusalCode = code;
  }

  /** The first mail to `to` (waits for it). */
  async mailTo(to: string, timeoutMs = 10_000): Promise<ParsedMail> {
    await until(`a mail to ${to}`, () => this.find(to) !== undefined, timeoutMs, 20);
    return this.find(to)!;
  }

  /** Every mail to `to` received so far. */
  mailsTo(to: string): ParsedMail[] {
    return this.mails.filter((mail) => recipients(mail).includes(to.toLowerCase()));
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private find(to: string): ParsedMail | undefined {
    return this.mailsTo(to)[0];
  }
}

function recipients(mail: ParsedMail): string[] {
  const to = Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : [];
  return to.flatMap((t) => t.value.map((a) => (a.address ?? '').toLowerCase()));
}

/** The link in a mail's text part that starts with `prefix`. */
export function linkIn(mail: ParsedMail, prefix: string): URL {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`${escaped}\\S+`).exec(mail.text ?? '');
  if (!match) throw new Error(`no link starting with ${prefix} in the mail`);
  return new URL(match[0]);
}
