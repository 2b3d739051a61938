import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppError, AppErrorCode } from '../common/errors/app-error';
import { appConfig, AppConfig } from '../config/configuration';
import { UsersService } from './users.service';

/**
 * Makes sure BOOTSTRAP_ADMIN_EMAIL exists as an admin after start-up: created once, never
 * overwritten (a later restart with another password changes nothing).
 */
@Injectable()
export class BootstrapAdmin implements OnApplicationBootstrap {
  private readonly logger = new Logger(BootstrapAdmin.name);

  constructor(
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    private readonly users: UsersService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const admin = this.app.bootstrapAdmin;
    if (!admin || (await this.users.findByLogin(admin.email))) return;
    try {
      await this.users.create({ ...admin, roles: ['admin'] });
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
}
