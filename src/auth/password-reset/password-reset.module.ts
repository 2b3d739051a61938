import { Module } from '@nestjs/common';
import { MailModule } from '../../mail/mail.module';
import { TokensModule } from '../../tokens/tokens.module';
import { UsersModule } from '../../users/users.module';
import { BackgroundWork } from '../user-tokens/background-work';
import { PasswordResetController } from './password-reset.controller';
import { PasswordResetService } from './password-reset.service';
import { passwordResetStoreProvider } from './stores/password-reset-store.provider';

/** Password reset: its tokens' store, the mails and the two public routes. */
@Module({
  imports: [UsersModule, TokensModule, MailModule],
  controllers: [PasswordResetController],
  providers: [passwordResetStoreProvider, PasswordResetService, BackgroundWork],
})
export class PasswordResetModule {}
