import { readdirSync, readFileSync } from 'node:fs';
import { AddressInfo, createServer, Socket } from 'node:net';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { AuditEventType } from '../src/audit/audit-event';
import { AuditService } from '../src/audit/audit.service';
import { MailQueue } from '../src/mail/mail-queue';
import { Mailer } from '../src/mail/mailer';
import { aUser } from './factories/user.factory';
import { LogCapture } from './support/log-capture';
import { TestSmtpServer } from './support/smtp-server';
import { cleanUp, startApp, TestApp, testEnvironment } from './support/test-app';
import { until } from './support/wait';

/**
 * Mail delivery (issue 10.1) in the real app, over real SMTP: a `smtp-server` in this process
 * receives what nodemailer sends. The flows that send mails (verification, …) have their own
 * e2e tests; these drive the Mailer directly, as those flows do.
 */
const SECRET = 'Zm9vYmFyLXNlY3JldC10b2tlbi12YWx1ZS0xMjM0NTY3';

function verificationValues(mailer: Mailer) {
  return {
    link: mailer.link('verify-email', { token: SECRET }),
    expiresInHours: '24',
    appUrl: mailer.appUrl,
  };
}

async function withApp(
  overrides: Record<string, string | undefined>,
  run: (t: TestApp, logs: LogCapture) => Promise<void>,
): Promise<void> {
  const logs = new LogCapture();
  const t = await startApp(testEnvironment({ REDIS_URL: '', ...overrides }), {
    logDestination: logs.stream,
  });
  try {
    await run(t, logs);
  } finally {
    await t.close();
    await cleanUp(t.env);
  }
}

function failures(t: TestApp) {
  return t.app.get(AuditService).list({ event: AuditEventType.MailFailed, limit: 100 });
}

describe('mail delivery over SMTP', () => {
  let smtp: TestSmtpServer;
  beforeEach(async () => {
    smtp = await TestSmtpServer.start();
  });
  afterEach(() => smtp.stop());

  it('delivers a mail with From, To, subject, a text and an html part, linking to APP_URL', async () => {
    const env = {
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Tessera <no-reply@tessera.test>',
      APP_URL: 'https://app.example.com/base/',
    };
    await withApp(env, async (t) => {
      const mailer = t.app.get(Mailer);
      expect(
        mailer.send(
          'email-verification',
          { email: 'alice@example.com', userId: 'u1' },
          verificationValues(mailer),
        ),
      ).toBe(true);
      const mail = await smtp.mailTo('alice@example.com');
      expect(mail.from?.value).toEqual([{ address: 'no-reply@tessera.test', name: 'Tessera' }]);
      expect(mail.subject).toBe('Confirm your email address');
      expect(mail.text).toContain(`https://app.example.com/base/verify-email?token=${SECRET}`);
      expect(mail.html).toContain(
        `href="https://app.example.com/base/verify-email?token=${SECRET}"`,
      );
    });
  });

  it('retries a relay that refuses, with growing delays, and delivers once it accepts', async () => {
    smtp.failNext(2);
    const env = { SMTP_URL: smtp.url, MAIL_RETRY_DELAY_MS: '50', MAIL_MAX_ATTEMPTS: '3' };
    await withApp(env, async (t, logs) => {
      const mailer = t.app.get(Mailer);
      mailer.send(
        'email-verification',
        { email: 'bob@example.com', userId: 'u2' },
        verificationValues(mailer),
      );
      await smtp.mailTo('bob@example.com');
      expect(smtp.attempts).toBe(3);
      const retries = logs.text
        .split('\n')
        .filter((l) => l.includes('Mail not sent; retrying'))
        .map((l) => JSON.parse(l) as { attempt: number; reason: string; retryInMs: number });
      expect(retries.map((r) => [r.attempt, r.reason])).toEqual([
        [1, 'EMESSAGE 451'],
        [2, 'EMESSAGE 451'],
      ]);
      // Backoff: 50 ms ±25 %, then 100 ms ±25 %.
      expect(retries[0].retryInMs).toBeLessThan(retries[1].retryInMs);
      await expect(failures(t)).resolves.toEqual([]);
    });
  });

  it('gives up at once on a permanent refusal (550): one attempt, then MAIL_FAILED', async () => {
    smtp.failNext(1, 550);
    const env = { SMTP_URL: smtp.url, MAIL_RETRY_DELAY_MS: '20', MAIL_MAX_ATTEMPTS: '3' };
    await withApp(env, async (t, logs) => {
      const mailer = t.app.get(Mailer);
      const to = { email: 'frank@example.com', userId: 'u6' };
      mailer.send('email-verification', to, verificationValues(mailer));
      await t.app.get(MailQueue).idle();
      await until('MAIL_FAILED in the trail', async () => (await failures(t)).length === 1);
      expect(smtp.attempts).toBe(1);
      expect(logs.messages(/^Mail not sent; retrying$/)).toEqual([]);
      const [event] = await failures(t);
      expect(event.details).toEqual({
        mail: 'email-verification',
        attempts: 1,
        reason: 'EMESSAGE 550',
      });
      // Nothing is retried later either.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(smtp.attempts).toBe(1);
    });
  });

  it('gives up on a relay that is down after MAIL_MAX_ATTEMPTS: logged and audited, never the link', async () => {
    const down = smtp.url;
    await smtp.stop();
    const env = { SMTP_URL: down, MAIL_RETRY_DELAY_MS: '20', MAIL_MAX_ATTEMPTS: '3' };
    await withApp(env, async (t, logs) => {
      const mailer = t.app.get(Mailer);
      mailer.send(
        'email-verification',
        { email: 'carol@example.com', userId: 'u3' },
        verificationValues(mailer),
      );
      await t.app.get(MailQueue).idle();
      expect(logs.messages(/^Mail not sent; retrying$/)).toHaveLength(2);
      expect(logs.messages(/^Mail given up$/)).toHaveLength(1);
      await until('MAIL_FAILED in the trail', async () => (await failures(t)).length === 1);
      const [event] = await failures(t);
      expect(event).toEqual(
        expect.objectContaining({
          userId: 'u3',
          severity: 'warning',
          details: { mail: 'email-verification', attempts: 3, reason: 'ESOCKET' },
        }),
      );
      expect(logs.text).not.toContain(SECRET);
      expect(logs.text).not.toContain('carol@example.com');
      expect(JSON.stringify(event)).not.toContain(SECRET);
    });
  });

  it('answers a registration while its mail still waits on a relay that never answers', async () => {
    // Not a stopwatch (which a loaded machine can fail): the relay accepts the connection and
    // never greets, so the send cannot end before nodemailer's 10 s greeting timeout. The 201
    // arriving while that send is still pending is what shows the request did not wait for it.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `smtp://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      await withApp({ SMTP_URL: url }, async (t, logs) => {
        const response = await t.http.post('/auth/register', aUser());
        expect(response.status).toBe(201);
        await until('the app connected to the relay', () => sockets.length > 0, 5000, 10);
        expect(t.app.get(MailQueue).size).toBe(1);
        expect(logs.messages(/^Mail (sent|not sent; retrying|given up)$/)).toEqual([]);
      });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('lets a mail being sent finish when the app shuts down', async () => {
    smtp.delayMs = 400;
    const logs = new LogCapture();
    const t = await startApp(testEnvironment({ REDIS_URL: '', SMTP_URL: smtp.url }), {
      logDestination: logs.stream,
    });
    try {
      const mailer = t.app.get(Mailer);
      const to = { email: 'erin@example.com', userId: 'u5' };
      mailer.send('email-verification', to, verificationValues(mailer));
      await until('the relay has the mail', () => smtp.attempts === 1, 5000, 10);
    } finally {
      await t.close();
      await cleanUp(t.env);
    }
    expect(smtp.mailsTo('erin@example.com')).toHaveLength(1);
    expect(logs.messages(/^Mail sent$/)).toHaveLength(1);
  });

  it('holds at most MAIL_QUEUE_SIZE mails; one more is dropped, logged and audited', async () => {
    const down = smtp.url;
    await smtp.stop();
    const env = { SMTP_URL: down, MAIL_QUEUE_SIZE: '2', MAIL_RETRY_DELAY_MS: '60000' };
    await withApp(env, async (t) => {
      const mailer = t.app.get(Mailer);
      const send = (n: number) =>
        mailer.send(
          'email-verification',
          { email: `q${n}@example.com`, userId: `q${n}` },
          verificationValues(mailer),
        );
      expect([send(1), send(2), send(3)]).toEqual([true, true, false]);
      expect(t.app.get(MailQueue).size).toBe(2);
      await until('MAIL_FAILED for the dropped mail', async () => (await failures(t)).length === 1);
      const [event] = await failures(t);
      expect(event.userId).toBe('q3');
      expect(event.details).toEqual({
        mail: 'email-verification',
        attempts: 0,
        reason: 'queue full',
      });
    });
  });
});

describe('mail delivery without SMTP_URL (development)', () => {
  it('writes each mail as an .eml file to MAIL_OUTBOX_DIR and warns at start-up', async () => {
    await withApp({ SMTP_URL: undefined }, async (t, logs) => {
      expect(logs.text).toMatch(
        /SMTP_URL is unset: mails are not sent but written as \.eml files to /,
      );
      const mailer = t.app.get(Mailer);
      mailer.send(
        'email-verification',
        { email: 'dave@example.com', userId: 'u4' },
        verificationValues(mailer),
      );
      await t.app.get(MailQueue).idle();
      const files = readdirSync(t.env.mail.outboxDir);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/^[0-9a-f-]{36}\.eml$/);
      const mail = await simpleParser(readFileSync(join(t.env.mail.outboxDir, files[0])));
      expect(mail.subject).toBe('Confirm your email address');
      expect(mail.text).toContain(`verify-email?token=${SECRET}`);
      expect(mail.html).toContain(`verify-email?token=${SECRET}`);
    });
  });
});
