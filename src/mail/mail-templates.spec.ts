import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvError } from '../config/env.parsers';
import { validateEnv } from '../config/env.validation';
import { MailTemplates } from './mail-templates';

const values = {
  link: 'https://app.example.com/verify-email?token=abc&x=1',
  expiresInHours: '24',
  appUrl: 'https://app.example.com',
};

function templates(dir: string | null): MailTemplates {
  return new MailTemplates(validateEnv(dir ? { MAIL_TEMPLATES_DIR: dir } : {}).mail);
}

describe('MailTemplates', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-templates-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('renders the built-in verification mail with the link in both parts', () => {
    const mail = templates(null).render('email-verification', 'a@example.com', values);
    expect(mail.to).toBe('a@example.com');
    expect(mail.subject).toBe('Confirm your email address');
    expect(mail.text).toContain(values.link);
    expect(mail.text).toMatch(/^Hello,\n/);
    // The html part escapes the value: & becomes &amp; inside the href.
    expect(mail.html).toContain('href="https://app.example.com/verify-email?token=abc&amp;x=1"');
  });

  it('renders the built-in reset mail with the link and its 30 minutes, and no username', () => {
    const link = 'https://app.example.com/reset-password?token=abc&x=1';
    const reset = { link, expiresInMinutes: '30', appUrl: 'https://app.example.com' };
    const mail = templates(null).render('password-reset', 'a@example.com', reset);
    expect(mail.subject).toBe('Reset your password');
    expect(mail.text).toContain(link);
    expect(mail.text).toContain('expires in 30 minutes');
    expect(mail.html).toContain('href="https://app.example.com/reset-password?token=abc&amp;x=1"');
  });

  it('escapes markup in values of the html part only', () => {
    const evil = { ...values, appUrl: '<script>alert("x")</script>' };
    const mail = templates(null).render('email-verification', 'a@example.com', evil);
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(mail.text).toContain('<script>alert("x")</script>');
  });

  it('takes each part a deployer puts in MAIL_TEMPLATES_DIR, the built-in one for the others', () => {
    writeFileSync(join(dir, 'email-verification.subject.txt'), 'Welcome to {{ appUrl }}\n');
    writeFileSync(join(dir, 'email-verification.html'), '<b>{{appUrl}}</b> {{link}}');
    const mail = templates(dir).render('email-verification', 'a@example.com', values);
    expect(mail.subject).toBe('Welcome to https://app.example.com');
    expect(mail.html).toBe(
      '<b>https://app.example.com</b> https://app.example.com/verify-email?token=abc&amp;x=1',
    );
    expect(mail.text).toContain('please confirm');
  });

  it('never lets a value break the subject into a second header line', () => {
    writeFileSync(join(dir, 'email-verification.subject.txt'), 'Hi {{appUrl}}');
    const mail = templates(dir).render('email-verification', 'a@example.com', {
      ...values,
      appUrl: 'eve\r\nBcc: victim@example.com',
    });
    expect(mail.subject).toBe('Hi eve Bcc: victim@example.com');
  });

  it.each([
    ['email-verification.txt', 'Hello {{name}} {{link}}', /uses \{\{name\}\}; known: /],
    ['email-verification.html', '<p>Hello {{appUrl}}</p>', /must use \{\{link\}\}/],
    // The registrant picks the username: no template may put it in a mail (see TEMPLATES).
    ['email-verification.txt', 'Hello {{username}} {{link}}', /uses \{\{username\}\}; known: /],
    ['password-reset.txt', 'Hello {{username}} {{link}}', /uses \{\{username\}\}; known: /],
    ['password-reset.html', '<p>{{expiresInMinutes}}</p>', /must use \{\{link\}\}/],
  ])('refuses %s holding %j with one line naming MAIL_TEMPLATES_DIR', (file, source, problem) => {
    writeFileSync(join(dir, file), source);
    let error: unknown;
    try {
      templates(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EnvError);
    expect((error as EnvError).message).toMatch(new RegExp(`^MAIL_TEMPLATES_DIR ${file}`));
    expect((error as EnvError).message).toMatch(problem);
    expect((error as EnvError).message).not.toContain('\n');
  });
});
