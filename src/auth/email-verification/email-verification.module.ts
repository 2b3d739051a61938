import { Module } from '@nestjs/common';
import { MailModule } from '../../mail/mail.module';
import { UsersModule } from '../../users/users.module';
import { BackgroundWork } from '../user-tokens/background-work';
import { EmailVerificationController } from './email-verification.controller';
import { EmailVerificationService } from './email-verification.service';
import { emailVerificationStoreProvider } from './stores/email-verification-store.provider';

/** Email verification: its tokens' store, the mails and the two public routes. */
@Module({
  imports: [UsersModule, MailModule],
  controllers: [EmailVerificationController],
  providers: [emailVerificationStoreProvider, EmailVerificationService, BackgroundWork],
  exports: [EmailVerificationService],
})
export class EmailVerificationModule {}
