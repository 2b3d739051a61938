import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { BruteForceModule } from './brute-force/brute-force.module';
import { EmailVerificationModule } from './email-verification/email-verification.module';
import { PasswordResetModule } from './password-reset/password-reset.module';
import { JwtAuthGuard } from './guards/jwt-auth.guard';
import { RolesGuard } from './guards/roles.guard';
import { MfaModule } from './mfa/mfa.module';
import { PasskeyLoginController } from './passkeys/passkey-login.controller';
import { PasskeysModule } from './passkeys/passkeys.module';
import { DpopService } from './dpop/dpop.service';
import { ScopesGuard } from './guards/scopes.guard';
import { RefreshCookie } from './refresh-cookie';
import { SessionsController } from './sessions.controller';
import { JwtStrategy } from './strategies/jwt.strategy';
import { VerifiedTokenCache } from './strategies/verified-token.cache';

/**
 * Sign-up, sign-in and the session endpoints, plus the three global guards. They run in the order
 * registered: authentication first, then roles, then scopes.
 */
@Module({
  imports: [
    PassportModule,
    UsersModule,
    TokensModule,
    BruteForceModule,
    EmailVerificationModule,
    PasswordResetModule,
    MfaModule,
    PasskeysModule,
  ],
  controllers: [AuthController, PasskeyLoginController, SessionsController],
  providers: [
    AuthService,
    DpopService,
    RefreshCookie,
    JwtStrategy,
    VerifiedTokenCache,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
    { provide: APP_GUARD, useClass: ScopesGuard },
  ],
})
export class AuthModule {}
