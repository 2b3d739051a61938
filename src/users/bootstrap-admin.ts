import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { AppError, AppErrorCode } from '../common/errors/app-error';
import { StoreUnavailableError } from '../common/errors/store-unavailable.error';
import { appConfig, AppConfig } from '../config/configuration';
import { loginKey } from './stores/user-store.helpers';
import { User } from './user';
import { UsersService } from './users.service';

type Admin = NonNullable<AppConfig['bootstrapAdmin']>;

/**
 * Retries while the store is unavailable start after this and double up to RETRY_MAX_MS. A store
 * down at start-up is mostly a restart that takes seconds; a try every 2 s at most creates the
 * admin soon after it answers, and costs nothing meanwhile (the open circuit refuses at once).
 */
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 2000;

/**
 * Makes sure BOOTSTRAP_ADMIN_EMAIL exists as an admin after start-up: created once, never
 * overwritten (a later restart with another password changes nothing). Its password passed the
 * policy when the environment was validated. A store that is down never stops start-up: the
 * service starts (and answers 503), and the admin is created in the background once it answers.
 */
@Injectable()
export class BootstrapAdmin implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(BootstrapAdmin.name);
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    private readonly users: UsersService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const admin = this.app.bootstrapAdmin;
    if (!admin || (await this.attempt(admin))) return;
    this.logger.warn(
      `The store is unavailable: bootstrap admin ${admin.username} will be created once it answers`,
    );
    this.retryAfter(admin, RETRY_FIRST_MS);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.retry);
  }

  private retryAfter(admin: Admin, delayMs: number): void {
    this.retry = setTimeout(() => {
      this.attempt(admin).then(
        (done) => {
          if (done || this.stopped) return;
          const next = Math.min(delayMs * 2, RETRY_MAX_MS);
          this.logger.debug(
            `Store still unavailable; next try for the bootstrap admin in ${next} ms`,
          );
          this.retryAfter(admin, next);
        },
        (error: unknown) => {
          // Not an outage (those are retried): a defect, which retrying would not mend.
          const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
          this.logger.error(`Cannot create bootstrap admin ${admin.username}: ${reason}`);
        },
      );
    }, delayMs);
  }

  /** True once the admin exists; false while the store is unavailable. */
  private async attempt(admin: Admin): Promise<boolean> {
    try {
      await this.ensure(admin);
      return true;
    } catch (error) {
      if (error instanceof StoreUnavailableError) return false;
      throw error;
    }
  }

  private async ensure(admin: Admin): Promise<void> {
    const existing = await this.users.findByLogin(admin.email);
    if (existing) return this.vouchFor(existing, admin.email);
    try {
      // The operator configured this address: no mail proves it (REQUIRE_VERIFIED_EMAIL must
      // never lock out the only admin of a server whose mail is not set up yet).
      await this.users.create({ ...admin, roles: ['admin'], emailVerified: true });
      this.logger.log(`Created bootstrap admin ${admin.username}`);
    } catch (error) {
      // Another instance created it a moment earlier: that is the outcome we wanted.
      if (
        error instanceof AppError &&
        (error.code === AppErrorCode.EmailTaken || error.code === AppErrorCode.UsernameTaken)
      )
        return;
      throw error;
    }
  }

  /**
   * An admin created before email verification existed has no `emailVerified`, and
   * REQUIRE_VERIFIED_EMAIL would lock it out: the operator vouches for the configured address, as
   * at creation. Only for an admin: an account someone else registered with that address before
   * the admin was configured proves nothing. Compare-and-set on the email, so an address changed
   * meanwhile stays unverified.
   */
  private async vouchFor(user: User, email: string): Promise<void> {
    if (user.emailVerified === true || !user.roles.includes('admin')) return;
    if (loginKey(user.email) !== loginKey(email)) return;
    if (await this.users.markEmailVerified(user.id, email)) {
      this.logger.log(`Marked bootstrap admin ${user.username}'s email verified`);
    }
  }
}
