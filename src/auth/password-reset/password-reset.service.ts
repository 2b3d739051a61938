import { Inject, Injectable } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import type { Logger } from 'pino';
import { AuditEventType } from '../../audit/audit-event';
import { AuditService } from '../../audit/audit.service';
import { secretHash } from '../../common/crypto/ids';
import { AppError, AppErrorCode } from '../../common/errors/app-error';
import { InjectRootLogger } from '../../common/logging/root-logger';
import { mailConfig, MailConfig } from '../../config/configuration';
import { Mailer } from '../../mail/mailer';
import { PASSWORD_FORGOT_PER_ACCOUNT } from '../../throttle/throttle.limits';
import { SessionsService } from '../../tokens/sessions.service';
import { ClientInfo } from '../../tokens/token.types';
import { PasswordHasher } from '../../users/password-hasher';
import { PasswordPolicy } from '../../users/password-policy';
import { loginKey } from '../../users/stores/user-store.helpers';
import { User } from '../../users/user';
import { UsersService } from '../../users/users.service';
import { BackgroundWork } from '../user-tokens/background-work';
import { withinAccountBudget } from '../user-tokens/mail-flow';
import { newUserToken, parseUserToken } from '../user-tokens/user-token';
import { InjectPasswordResetStore, PasswordResetStore } from './password-reset.store';

/** How long a reset link works. */
export const RESET_TTL_MINUTES = 30;
/** The page of the web app (under APP_URL) that a reset link opens. */
export const RESET_PASSWORD_PATH = 'reset-password';

/**
 * What a reset token is bound to: the SHA-256 of the user's password hash when it was mailed.
 * Any change of the password (a reset, POST /auth/password, an admin) changes the hash and so
 * voids every outstanding link; the store holds a digest, never the argon2 hash itself.
 */
const fingerprintOf = (user: User): string => secretHash(user.passwordHash);

/**
 * Password reset (issue 10.3): a single-use link by mail, and setting a new password with it.
 * Tokens are 256 random bits, stored only as a hash under the user, for 30 minutes, bound to
 * the password they were mailed for. A reset ends every session and voids device cookies.
 */
@Injectable()
export class PasswordResetService {
  private readonly logger: Logger;

  constructor(
    @Inject(mailConfig.KEY) private readonly config: MailConfig,
    @InjectPasswordResetStore() private readonly store: PasswordResetStore,
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly sessions: SessionsService,
    private readonly mailer: Mailer,
    private readonly audit: AuditService,
    // Explicit: ThrottlerStorage is an interface and a token of the same name (see
    // EmailVerificationService).
    @Inject(ThrottlerStorage) private readonly throttler: ThrottlerStorage,
    private readonly background: BackgroundWork,
    @InjectRootLogger() root: Logger,
  ) {
    this.logger = root.child({ context: 'PasswordReset' });
  }

  /**
   * Mails a reset link to `email` if it names an active account that has not had
   * PASSWORD_FORGOT_PER_ACCOUNT of them this hour. Returns at once: the caller answers the same
   * whatever happens here, in the same time (the look-up runs after the answer), so it tells
   * nobody whether the address has an account.
   */
  forgot(email: string, client: ClientInfo): void {
    this.requireEnabled();
    this.background.run(this.logger, 'Password reset mail not sent', async () => {
      const user = await this.users.findByLogin(email);
      // By email only (a login may also be a username), and never for a deactivated account.
      if (!user || !user.active || loginKey(user.email) !== loginKey(email)) return;
      let mailed = false;
      try {
        const budget = PASSWORD_FORGOT_PER_ACCOUNT;
        mailed =
          (await withinAccountBudget(this.throttler, user.id, budget, 'password-forgot')) &&
          (await this.mailLink(user));
      } finally {
        // Audited once the account is known, whatever follows: a store failing at the budget or
        // the token is a request that mailed nothing (and the failure is logged as well).
        this.audit.record({
          event: AuditEventType.PasswordResetRequested,
          userId: user.id,
          ip: client.ip,
          details: { mailed },
        });
      }
    });
  }

  /**
   * Sets a new password with a mailed token, ends every session of the user and voids its
   * device cookies. One 400 for a token that is malformed, unknown, used, expired, voided by a
   * password change, or of a deactivated user. A new password the policy refuses is a 400
   * validation-failed that leaves the token usable (it is checked before the token is taken).
   */
  async reset(token: string, newPassword: string, client: ClientInfo): Promise<void> {
    this.requireEnabled();
    const parsed = parseUserToken(token);
    const bound = parsed && (await this.store.find(parsed.userId, parsed.hash));
    if (!parsed || !bound) throw invalidToken();
    const user = await this.users.findById(parsed.userId);
    if (!user || !user.active || fingerprintOf(user) !== bound) throw invalidToken();
    // Only now, for a good token: the policy compares with the user's email and username.
    this.policy.check(newPassword, user, 'newPassword');
    const hash = await this.hasher.hash(newPassword);
    // Single use: of concurrent resets with one token exactly one takes it.
    if ((await this.store.take(parsed.userId, parsed.hash)) !== bound) throw invalidToken();
    // Every session ends BEFORE the password changes: the two writes cannot share one script
    // (users and sessions live in different Cluster slots), and a failure between them must
    // never leave the password changed and the sessions of whoever had the account alive.
    // Moving the credential generation on also voids every device cookie (see DeviceTokens).
    const ended = await this.sessions.endAll(user.id, 'password reset');
    // Only over the password the link was mailed for, and only while the account is active (one
    // compare-and-set): a change or a deactivation landing since the look-up wins, and this link
    // is void like any other of the old password or of a deactivated account.
    if (!(await this.users.replacePasswordHash(user.id, user.passwordHash, hash))) {
      throw invalidToken();
    }
    // And again after it: a login with the old password in flight between the two is ended too.
    const late = await this.sessions.endAll(user.id, 'password reset');
    this.audit.record({
      event: AuditEventType.PasswordReset,
      userId: user.id,
      ip: client.ip,
      details: { endedSessions: ended.length + late.length },
    });
  }

  /** Saves a token and queues its mail; false when the mail was dropped. */
  private async mailLink(user: User): Promise<boolean> {
    const { token, hash } = newUserToken(user.id);
    await this.store.save(user.id, hash, fingerprintOf(user), RESET_TTL_MINUTES * 60_000);
    return this.mailer.send(
      'password-reset',
      { email: user.email, userId: user.id },
      {
        link: this.mailer.link(RESET_PASSWORD_PATH, { token }),
        expiresInMinutes: String(RESET_TTL_MINUTES),
        appUrl: this.mailer.appUrl,
      },
    );
  }

  private requireEnabled(): void {
    if (!this.config.passwordReset) {
      throw new AppError(AppErrorCode.NotFound, 'Password reset is off on this server.');
    }
  }
}

function invalidToken(): AppError {
  return new AppError(
    AppErrorCode.InvalidResetToken,
    'The reset link is invalid, used or expired; ask for a new one.',
  );
}
