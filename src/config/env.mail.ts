import { bool, EnvError, EnvErrorCollector, int, raw, RawEnv, str, url } from './env.parsers';

/** Mail delivery and the flows that send mail (shared/API.md, issue 10). */
export interface MailEnv {
  /** `smtp://` or `smtps://` URL of the relay; null: no relay (development writes .eml files). */
  smtpUrl: string | null;
  /** The From header of every mail, e.g. `Tessera <no-reply@example.com>`. */
  from: string;
  /** Public URL of the web app the links in mails open; never taken from a request's Host. */
  appUrl: string;
  /** Files here replace the built-in templates of the same name; null: built-in only. */
  templatesDir: string | null;
  /** Where mails go as `.eml` files when there is no SMTP_URL (development and tests). */
  outboxDir: string;
  /** Mails waiting to be sent at most; beyond it a new mail is dropped (logged and audited). */
  queueSize: number;
  /** Tries per mail before it is given up (MAIL_FAILED). */
  maxAttempts: number;
  /** The first retry's delay; each further retry waits twice as long (plus jitter). */
  retryDelayMs: number;
  /** Registration sends a verification mail; POST /auth/email/verify[/resend] are served. */
  emailVerification: boolean;
  /** Login refuses a user whose email is not verified (after the password checked out). */
  requireVerifiedEmail: boolean;
  /** POST /auth/password/forgot and /reset are served (a reset link by mail). */
  passwordReset: boolean;
}

const DEVELOPMENT_APP_URL = 'http://localhost:3000';
const DEVELOPMENT_MAIL_FROM = 'Tessera <no-reply@localhost>';
/** An address at localhost, the default's included: no real mailbox answers, and relays reject it. */
const LOCAL_ADDRESS = /@localhost>?$/i;
const ADDRESS = /^(?:[^<>\r\n]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/;

function mailFrom(env: RawEnv): string {
  const value = str(env, 'MAIL_FROM', DEVELOPMENT_MAIL_FROM);
  // No CR/LF: a header value that could start a header of its own is never written.
  if (!ADDRESS.test(value)) {
    throw new EnvError('MAIL_FROM', 'must be an address, or a name and <address>');
  }
  return value;
}

function smtpUrl(env: RawEnv): string | null {
  return raw(env, 'SMTP_URL') === undefined ? null : url(env, 'SMTP_URL', ['smtp:', 'smtps:']);
}

/** The mail settings, each bad variable reported through `ok` (one line each). */
export function mailEnv(env: RawEnv, ok: EnvErrorCollector['check']): MailEnv {
  const emailVerification = ok(() => bool(env, 'EMAIL_VERIFICATION', true));
  const requireVerifiedEmail = ok(() => bool(env, 'REQUIRE_VERIFIED_EMAIL', false));
  if (requireVerifiedEmail && emailVerification === false) {
    ok(() => {
      throw new EnvError('REQUIRE_VERIFIED_EMAIL', 'needs EMAIL_VERIFICATION=true');
    });
  }
  return {
    smtpUrl: ok(() => smtpUrl(env)),
    from: ok(() => mailFrom(env)),
    appUrl: ok(() => url(env, 'APP_URL', ['http:', 'https:'], 'http://localhost:3000')),
    templatesDir: raw(env, 'MAIL_TEMPLATES_DIR') ?? null,
    outboxDir: str(env, 'MAIL_OUTBOX_DIR', './.mail-outbox'),
    queueSize: ok(() => int(env, 'MAIL_QUEUE_SIZE', 1000, 1, 100_000)),
    maxAttempts: ok(() => int(env, 'MAIL_MAX_ATTEMPTS', 5, 1, 20)),
    retryDelayMs: ok(() => int(env, 'MAIL_RETRY_DELAY_MS', 2000, 10, 600_000)),
    emailVerification,
    requireVerifiedEmail,
    passwordReset: ok(() => bool(env, 'PASSWORD_RESET', true)),
  };
}

/** Whether any flow sends mail: then production needs a relay and a public APP_URL. */
export function mailFlowsEnabled(mail: MailEnv): boolean {
  return mailFlowsOn(mail).length > 0;
}

/** The variables of the mail flows that are on, e.g. `['EMAIL_VERIFICATION']`. */
function mailFlowsOn(mail: MailEnv): string[] {
  const flows: [string, boolean][] = [
    ['EMAIL_VERIFICATION', mail.emailVerification],
    ['PASSWORD_RESET', mail.passwordReset],
  ];
  return flows.filter(([, on]) => on).map(([name]) => name);
}

/**
 * Production refuses to lose mails silently: a flow that sends them needs SMTP_URL (.eml files
 * on a server reach nobody) and a MAIL_FROM of its own (mail from @localhost is rejected or
 * junked by receivers, and nobody can answer it), and links need the public URL of the web app over https (they carry
 * single-use tokens). `refuse` reports one line per variable.
 */
export function refuseUnsafeProductionMail(
  mail: MailEnv,
  refuse: (variable: string, problem: string) => void,
): void {
  const flows = mailFlowsOn(mail);
  if (flows.length === 0) return;
  const off = flows.map((flow) => `${flow}=false`).join(' and ');
  const why = `(${flows.join(' and ')} ${flows.length > 1 ? 'are' : 'is'} on; set ${off} to run without mail)`;
  if (mail.smtpUrl === null) refuse('SMTP_URL', `is required in production ${why}`);
  if (mail.from !== undefined && LOCAL_ADDRESS.test(mail.from)) {
    refuse('MAIL_FROM', `must be an address of your domain in production, not @localhost ${why}`);
  }
  if (mail.appUrl === DEVELOPMENT_APP_URL) {
    refuse('APP_URL', `must be the public URL of the web app in production ${why}`);
  } else if (mail.appUrl !== undefined && !mail.appUrl.startsWith('https:')) {
    refuse('APP_URL', 'must be an https URL in production: the links in mails carry tokens');
  }
}
