import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { JwksController } from './jwks.controller';
import { SessionStore } from './session.store';
import { SessionsService } from './sessions.service';
import { SigningKeys } from './signing-keys';
import { sessionStoreProvider } from './stores/session-store.provider';
import { TokenService } from './token.service';

/** Signing keys and the JWKS, token issuance and rotation, sessions and their store. */
@Module({
  // Keys are passed per call (KeyObjects from SigningKeys), so the module needs no secret.
  imports: [JwtModule.register({})],
  controllers: [JwksController],
  providers: [SigningKeys, TokenService, SessionsService, sessionStoreProvider],
  exports: [SigningKeys, TokenService, SessionsService, SessionStore],
})
export class TokensModule {}
