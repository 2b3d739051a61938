import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ParsedMail, simpleParser } from 'mailparser';
import { until } from './wait';

/** The .eml files an app without SMTP_URL wrote to MAIL_OUTBOX_DIR, parsed, oldest first. */
export async function outboxMails(dir: string): Promise<ParsedMail[]> {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .sort();
  return Promise.all(files.map((f) => simpleParser(readFileSync(join(dir, f)))));
}

/** Waits until MAIL_OUTBOX_DIR holds `count` mails to `to`, and returns them. */
export async function outboxMailsTo(dir: string, to: string, count = 1): Promise<ParsedMail[]> {
  let mails: ParsedMail[] = [];
  await until(`${count} mail(s) to ${to} in ${dir}`, async () => {
    mails = (await outboxMails(dir)).filter((m) =>
      JSON.stringify(m.to ?? '')
        .toLowerCase()
        .includes(to.toLowerCase()),
    );
    return mails.length >= count;
  });
  return mails;
}
