import { Module } from '@nestjs/common';
import { MailQueue } from './mail-queue';
import { MailTemplates } from './mail-templates';
import { Mailer } from './mailer';
import { mailTransportProvider } from './transports/mail-transport.provider';

/** Mail delivery: templates, a bounded retrying queue, and SMTP or .eml files underneath. */
@Module({
  providers: [mailTransportProvider, MailTemplates, MailQueue, Mailer],
  exports: [Mailer, MailQueue],
})
export class MailModule {}
