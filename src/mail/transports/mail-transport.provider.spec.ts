import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { AuditInput } from '../../audit/audit-event';
import { AuditService } from '../../audit/audit.service';
import { validateEnv } from '../../config/env.validation';
import { MailQueue } from '../mail-queue';
import { MailTransport } from '../mail-transport';
import { mailTransportProvider } from './mail-transport.provider';

const LINK = 'https://app.example.com/verify-email?token=u1.c2VjcmV0LXRva2Vu';
const MESSAGE = { to: 'alice@example.com', subject: 'Confirm', text: LINK, html: LINK };

describe('mailTransportProvider without SMTP_URL', () => {
  let dir: string;
  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'tessera-outbox-')), 'outbox');
  });
  afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  function transport(production: boolean): MailTransport {
    const mail = validateEnv({
      MAIL_OUTBOX_DIR: dir,
      EMAIL_VERIFICATION: 'false',
      PASSWORD_RESET: 'false',
    }).mail;
    return mailTransportProvider.useFactory(mail, { production }) as MailTransport;
  }

  it('writes .eml files outside production', async () => {
    await transport(false).send(MESSAGE);
    expect(readdirSync(dir)).toHaveLength(1);
  });

  it('in production drops the mail, audited MAIL_FAILED without its content, and writes nothing', async () => {
    const lines: string[] = [];
    const logger = pino(
      new Writable({ write: (chunk: Buffer, _e, done) => done(void lines.push(String(chunk))) }),
    );
    const events: AuditInput[] = [];
    const audit = { record: (event: AuditInput) => void events.push(event) };
    const config = validateEnv({ MAIL_MAX_ATTEMPTS: '5' }).mail;
    const queue = new MailQueue(config, transport(true), audit as AuditService, logger);

    queue.enqueue({ kind: 'email-verification', userId: 'u1', message: MESSAGE });
    await queue.idle();

    expect(existsSync(dir)).toBe(false);
    expect(events).toEqual([
      expect.objectContaining({
        userId: 'u1',
        details: { mail: 'email-verification', attempts: 1, reason: 'NO_RELAY' },
      }),
    ]);
    const logged = lines.join('');
    expect(logged).toContain('Mail given up');
    for (const secret of [LINK, 'c2VjcmV0LXRva2Vu', MESSAGE.to]) {
      expect(logged).not.toContain(secret);
      expect(JSON.stringify(events)).not.toContain(secret);
    }
    await queue.onApplicationShutdown();
  });
});
