import { FactoryProvider, Logger } from '@nestjs/common';
import { resolve } from 'node:path';
import { mailConfig, MailConfig } from '../../config/configuration';
import { mailFlowsEnabled } from '../../config/env.mail';
import { MailTransport } from '../mail-transport';
import { OutboxMailTransport } from './outbox-mail.transport';
import { SmtpMailTransport } from './smtp-mail.transport';

/** SMTP when SMTP_URL is set; otherwise .eml files (production refuses that when mail is on). */
export const mailTransportProvider: FactoryProvider<MailTransport> = {
  provide: MailTransport,
  inject: [mailConfig.KEY],
  useFactory: (mail: MailConfig): MailTransport => {
    if (mail.smtpUrl !== null) return new SmtpMailTransport(mail.smtpUrl, mail.from);
    // Only worth a warning when something sends mail (production refuses it then).
    if (mailFlowsEnabled(mail)) warnOutbox(mail.outboxDir);
    return new OutboxMailTransport(mail.outboxDir, mail.from);
  },
};

function warnOutbox(dir: string): void {
  new Logger('Mail').warn(
    `SMTP_URL is unset: mails are not sent but written as .eml files to ${resolve(dir)}`,
  );
}
