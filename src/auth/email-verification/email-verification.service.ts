import { Inject, Injectable } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import type { Logger } from 'pino';
import { AuditEventType } from '../../audit/audit-event';
import { AuditService } from '../../audit/audit.service';
import { AppError, AppErrorCode } from '../../common/errors/app-error';
import { InjectRootLogger } from '../../common/logging/root-logger';
import { mailConfig, MailConfig } from '../../config/configuration';
import { Mailer } from '../../mail/mailer';
import { EMAIL_RESEND_PER_ACCOUNT } from '../../throttle/throttle.limits';
import { User } from '../../users/user';
import { UsersService } from '../../users/users.service';
import { loginKey } from '../../users/stores/user-store.helpers';
import { EmailVerificationStore, InjectEmailVerificationStore } from './email-verification.store';
import { newUserToken, parseUserToken } from '../user-tokens/user-token';
import { BackgroundWork } from '../user-tokens/background-work';
import { withinAccountBudget } from '../user-tokens/mail-flow';

/** How long a verification link works. */
export const VERIFICATION_TTL_HOURS = 24;
const TTL_MS = VERIFICATION_TTL_HOURS * 3_600_000;
/** The page of the web app (under APP_URL) that a verification link opens. */
export const VERIFY_EMAIL_PATH = 'verify-email';

/**
 * Email verification (issue 10.2): a mail with a single-use link on registration and on request,
 * and the check of the token it carries. Tokens are 256 random bits, stored only as a hash, for
 * 24 h, bound to the email they were mailed to: a token for an address the user no longer has
 * verifies nothing.
 */
@Injectable()
export class EmailVerificationService {
  private readonly logger: Logger;

  constructor(
    @Inject(mailConfig.KEY) private readonly config: MailConfig,
    @InjectEmailVerificationStore() private readonly store: EmailVerificationStore,
    private readonly users: UsersService,
    private readonly mailer: Mailer,
    private readonly audit: AuditService,
    // Explicit: ThrottlerStorage is an interface and a token of the same name, and compiled
    // decorator metadata names the interface (Object), not the token.
    @Inject(ThrottlerStorage) private readonly throttler: ThrottlerStorage,
    private readonly background: BackgroundWork,
    @InjectRootLogger() root: Logger,
  ) {
    this.logger = root.child({ context: 'EmailVerification' });
  }

  /** After registration: mails the new user a link, in the background (never fails the request). */
  registered(user: User): void {
    if (this.config.emailVerification) this.inBackground(() => this.mailLink(user));
  }

  /**
   * Marks the email verified; the token is used up either way. 400 for a token that is not one
   * of ours, unknown, used, expired, bound to an email the user no longer has, or of a
   * deactivated user.
   */
  async verify(token: string): Promise<void> {
    this.requireEnabled();
    const parsed = parseUserToken(token);
    const email = parsed && (await this.store.take(parsed.userId, parsed.hash));
    if (!parsed || email === null) throw invalidToken();
    const user = await this.users.findById(parsed.userId);
    // A deactivated account verifies nothing: the same answer as any token that is not good.
    if (!user || !user.active || loginKey(user.email) !== loginKey(email)) throw invalidToken();
    if (user.emailVerified === true) return;
    // Only while the email is still the one the token was mailed to (compare-and-set).
    if (!(await this.users.markEmailVerified(user.id, email))) throw invalidToken();
    this.audit.record({ event: AuditEventType.EmailVerified, userId: user.id });
  }

  /**
   * A new link for `email`, if it names an active, unverified account that has not had
   * EMAIL_RESEND_PER_ACCOUNT of them this hour. Returns at once: the caller answers the same
   * whatever happens here, in the same time (the look-up runs after the answer), so it tells
   * nobody whether the address has an account.
   */
  resend(email: string): void {
    this.requireEnabled();
    this.inBackground(async () => {
      const user = await this.users.findByLogin(email);
      if (!user || !user.active || user.emailVerified === true) return;
      const budget = EMAIL_RESEND_PER_ACCOUNT;
      if (!(await withinAccountBudget(this.throttler, user.id, budget, 'verify-resend'))) return;
      await this.mailLink(user);
    });
  }

  private async mailLink(user: User): Promise<void> {
    const { token, hash } = newUserToken(user.id);
    await this.store.save(user.id, hash, user.email, TTL_MS);
    this.mailer.send(
      'email-verification',
      { email: user.email, userId: user.id },
      {
        link: this.mailer.link(VERIFY_EMAIL_PATH, { token }),
        expiresInHours: String(VERIFICATION_TTL_HOURS),
        appUrl: this.mailer.appUrl,
      },
    );
  }

  private inBackground(work: () => Promise<void>): void {
    this.background.run(this.logger, 'Verification mail not sent', work);
  }

  private requireEnabled(): void {
    if (!this.config.emailVerification) {
      throw new AppError(AppErrorCode.NotFound, 'Email verification is off on this server.');
    }
  }
}

function invalidToken(): AppError {
  return new AppError(
    AppErrorCode.InvalidVerificationToken,
    'The verification link is invalid, used or expired; ask for a new one.',
  );
}
