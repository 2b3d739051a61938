import { Inject, Injectable } from '@nestjs/common';
import { MFA_ENROL_SCOPE } from '../tokens/token.service';
import { jwtConfig, JwtConfig } from '../config/configuration';
import { SessionRef } from '../tokens/session';
import { InjectSessionStore, SessionStore } from '../tokens/session.store';
import { IntrospectionResponseDto } from './dto/introspection-response.dto';
import { PresentedTokens } from './presented-token';

const INACTIVE: IntrospectionResponseDto = { active: false };

/**
 * RFC 7662 introspection. A token is active only when the API itself would accept it right now
 * (access token: valid and its session live and jti not revoked; refresh token: the current one of
 * a live session). Every other case is the same bare `{active:false}` (§2.2): no reason, so the
 * endpoint cannot be used to learn why a token fails.
 */
@Injectable()
export class IntrospectionService {
  constructor(
    private readonly tokens: PresentedTokens,
    @InjectSessionStore() private readonly sessions: SessionStore,
    @Inject(jwtConfig.KEY) private readonly jwt: JwtConfig,
  ) {}

  async introspect(token: string): Promise<IntrospectionResponseDto> {
    const presented = this.tokens.classify(token);
    switch (presented.kind) {
      case 'access_token': {
        const { sub, scope, exp, iat, jti, sid, iss, aud, client_id, cnf } = presented.claims;
        const ref = { userId: sub, sessionId: sid };
        if ((await this.sessions.checkAccess(ref, jti)) !== 'active') return INACTIVE;
        // An enrolment-only token (MFA_REQUIRED_ROLES) is good for nothing but enrolling at
        // Tessera: a resource server asking is told it is not an active token for it.
        if (scope.split(' ').includes(MFA_ENROL_SCOPE)) return INACTIVE;
        return {
          active: true,
          // RFC 7662 §2.2: a value of the OAuth Access Token Types registry, as in the token
          // response (RFC 6749 §7.1): Bearer, or DPoP for a bound token (RFC 9449 §6.2).
          token_type: cnf ? 'DPoP' : 'Bearer',
          client_id,
          sub,
          scope,
          exp,
          iat,
          jti,
          sid,
          iss,
          aud,
          ...(cnf ? { cnf } : {}),
        };
      }
      case 'refresh_token':
        return this.introspectRefresh(presented, presented.hash);
      case 'invalid':
        return INACTIVE;
    }
  }

  private async introspectRefresh(
    ref: SessionRef,
    hash: string,
  ): Promise<IntrospectionResponseDto> {
    // A retired refresh token is not active: presenting it would end the session (reuse).
    if ((await this.sessions.refreshHashState(ref, hash)) !== 'current') return INACTIVE;
    const session = await this.sessions.get(ref);
    if (!session) return INACTIVE;
    // No token_type: the registry's types say how an access token is presented to a resource
    // server, and a refresh token is never presented to one. `refresh_token` is a token_type_hint
    // value (another registry), not a token type; a resource server that requires
    // token_type "Bearer" (or checks `aud`, which only access tokens carry) refuses it.
    return {
      active: true,
      sub: session.userId,
      sid: session.id,
      scope: session.scope,
      exp: Math.floor(session.expiresAt / 1000),
      iss: this.jwt.issuer,
    };
  }
}
