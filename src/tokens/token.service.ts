import { Inject, Injectable } from '@nestjs/common';
import { AuditEventType } from '../audit/audit-event';
import { AuditService } from '../audit/audit.service';
import { AppError, AppErrorCode } from '../common/errors/app-error';
import { randomToken, uuidv7 } from '../common/crypto/ids';
import { Clock, InjectClock } from '../common/time/clock';
import { jwtConfig, JwtConfig } from '../config/configuration';
import { newRefreshToken, parseRefreshToken } from './refresh-token';
import { Session } from './session';
import { InjectSessionStore, SessionStore } from './session.store';
import { JwsSigner } from './jws-signer';
import { AccessClaims, ClientInfo, TokenResponse, TokenSubject } from './token.types';

/** Access token `typ` (RFC 9068); a token of another kind never passes as one. */
export const ACCESS_TOKEN_TYP = 'at+jwt';

/** Issues token pairs, rotates refresh tokens and detects their reuse. */
@Injectable()
export class TokenService {
  constructor(
    private readonly signer: JwsSigner,
    @Inject(jwtConfig.KEY) private readonly jwt: JwtConfig,
    @InjectSessionStore() private readonly sessions: SessionStore,
    @InjectClock() private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  /** Starts a session (login) and returns its first token pair. */
  async startSession(
    subject: TokenSubject,
    scope: string,
    client: ClientInfo,
  ): Promise<TokenResponse> {
    const now = this.clock.now();
    const id = uuidv7(now);
    const refresh = newRefreshToken(id);
    const session: Session = {
      id,
      userId: subject.id,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: now + this.jwt.refreshTtl * 1000,
      userAgent: client.userAgent?.slice(0, 256) ?? null,
      ip: client.ip,
      scope,
    };
    await this.sessions.create({ ...session, refreshHash: refresh.hash });
    return this.respond(subject, session, refresh.token);
  }

  /**
   * Rotates a refresh token. `loadSubject` gives the user's current roles, or null when the user
   * may no longer hold tokens (deleted, deactivated): then the session ends.
   */
  async refresh(
    presented: string,
    loadSubject: (userId: string) => Promise<TokenSubject | null>,
  ): Promise<{ response: TokenResponse; session: Session }> {
    const parsed = parseRefreshToken(presented);
    if (!parsed)
      throw new AppError(
        AppErrorCode.InvalidRefreshToken,
        'The refresh token is invalid or expired.',
      );
    const next = newRefreshToken(parsed.sessionId);
    const result = await this.sessions.rotate(
      parsed.sessionId,
      parsed.hash,
      next.hash,
      this.clock.now(),
    );
    switch (result.status) {
      case 'invalid':
        throw new AppError(
          AppErrorCode.InvalidRefreshToken,
          'The refresh token is invalid or expired.',
        );
      case 'reused':
        // RFC 9700 §4.14: a retired refresh token came back, so one copy is in the wrong hands.
        // The store has already ended the whole session, access tokens included.
        this.audit.record({
          event: AuditEventType.RefreshReuseDetected,
          userId: result.session.userId,
          details: { sessionId: result.session.id },
        });
        throw new AppError(
          AppErrorCode.RefreshReused,
          'The refresh token was already used; the session has been revoked.',
        );
      case 'rotated': {
        const subject = await loadSubject(result.session.userId);
        if (!subject) {
          await this.sessions.revoke(result.session.id);
          throw new AppError(
            AppErrorCode.InvalidRefreshToken,
            'The refresh token is invalid or expired.',
          );
        }
        return {
          response: this.respond(subject, result.session, next.token),
          session: result.session,
        };
      }
    }
  }

  private respond(subject: TokenSubject, session: Session, refreshToken: string): TokenResponse {
    const now = this.clock.now();
    return {
      access_token: this.signAccessToken(subject, session),
      token_type: 'Bearer',
      expires_in: this.jwt.accessTtl,
      refresh_token: refreshToken,
      refresh_expires_in: Math.max(0, Math.floor((session.expiresAt - now) / 1000)),
      scope: session.scope,
      session_id: session.id,
    };
  }

  private signAccessToken(subject: TokenSubject, session: Session): string {
    const iat = Math.floor(this.clock.now() / 1000);
    // Never outlive the session: an access token past the session's end would be refused anyway.
    const exp = Math.min(iat + this.jwt.accessTtl, Math.floor(session.expiresAt / 1000));
    const claims: AccessClaims = {
      iss: this.jwt.issuer,
      sub: subject.id,
      aud: this.jwt.audience,
      iat,
      nbf: iat,
      exp,
      jti: randomToken(16),
      sid: session.id,
      roles: subject.roles,
      scope: session.scope,
    };
    return this.signer.sign(claims, ACCESS_TOKEN_TYP);
  }
}
