import { FactoryProvider, Logger } from '@nestjs/common';
import { resolve } from 'node:path';
import { appConfig, AppConfig, mailConfig, MailConfig } from '../../config/configuration';
import { mailFlowsEnabled } from '../../config/env.mail';
import { MailTransport } from '../mail-transport';
import { DiscardMailTransport } from './discard-mail.transport';
import { OutboxMailTransport } from './outbox-mail.transport';
import { SmtpMailTransport } from './smtp-mail.transport';

/**
 * SMTP when SMTP_URL is set. Otherwise .eml files outside production, and in production (where
 * start-up allows no SMTP_URL only while every mail flow is off) a transport that drops any mail:
 * production never writes a mail, and the token in its link, to disk.
 */
export const mailTransportProvider: FactoryProvider<MailTransport> = {
  provide: MailTransport,
  inject: [mailConfig.KEY, appConfig.KEY],
  useFactory: (mail: MailConfig, app: Pick<AppConfig, 'production'>): MailTransport => {
    if (mail.smtpUrl !== null) return new SmtpMailTransport(mail.smtpUrl, mail.from);
    if (app.production) return new DiscardMailTransport();
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
