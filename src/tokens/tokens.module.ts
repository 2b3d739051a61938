import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { JwksController } from './jwks.controller';
import { JwsSigner } from './jws-signer';
import { TypedTokens } from './typed-token-key';
import { KeyRotation } from './key-rotation';
import { refreshGraceSealProvider } from './refresh-grace-seal.provider';
import { SessionStore } from './session.store';
import { SessionsService } from './sessions.service';
import { SigningKeys } from './signing-keys';
import { sessionStoreProviders } from './stores/session-store.provider';
import { TokenService } from './token.service';
import { sessionEventsProvider } from '../ws/session-events/session-events.provider';
import { SessionEvents } from '../ws/session-events/session-events';

/** Signing keys and the JWKS, token issuance and rotation, sessions and their store. */
@Module({
  // Keys are passed per call (KeyObjects from SigningKeys), so the module needs no secret.
  imports: [JwtModule.register({})],
  controllers: [JwksController],
  providers: [
    JwsSigner,
    TypedTokens,
    SigningKeys,
    KeyRotation,
    TokenService,
    refreshGraceSealProvider,
    SessionsService,
    ...sessionStoreProviders,
    // Ended sessions are announced here (see NotifyingSessionStore); the WebSocket gateway listens.
    sessionEventsProvider,
  ],
  exports: [
    JwsSigner,
    TypedTokens,
    SigningKeys,
    KeyRotation,
    TokenService,
    SessionsService,
    SessionStore,
    SessionEvents,
  ],
})
export class TokensModule {}
