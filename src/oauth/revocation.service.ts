import { Injectable } from '@nestjs/common';
import { AuditEventType } from '../audit/audit-event';
import { AuditService } from '../audit/audit.service';
import { SessionRef } from '../tokens/session';
import { InjectSessionStore, SessionStore } from '../tokens/session.store';
import { SessionsService } from '../tokens/sessions.service';
import { AccessClaims } from '../tokens/token.types';
import { PresentedTokens } from './presented-token';

/** RFC 7009 token revocation. Nothing here tells the caller whether the token was ours. */
@Injectable()
export class RevocationService {
  constructor(
    private readonly tokens: PresentedTokens,
    @InjectSessionStore() private readonly sessions: SessionStore,
    private readonly sessionsService: SessionsService,
    private readonly audit: AuditService,
  ) {}

  async revoke(token: string, ip: string | null): Promise<void> {
    const presented = this.tokens.classify(token);
    switch (presented.kind) {
      case 'access_token':
        return this.revokeAccess(presented.claims, ip);
      case 'refresh_token':
        return this.revokeRefresh(presented, presented.hash, ip);
      case 'invalid':
        // RFC 7009 §2.2: an invalid token is answered like a revoked one.
        return;
    }
  }

  /**
   * The access token's jti is refused until the token would be refused anyway: its `exp` plus the
   * clock skew the verifier allows (revoking only until `exp` would leave that window open).
   */
  private async revokeAccess(claims: AccessClaims, ip: string | null): Promise<void> {
    const { sid, jti, exp, sub } = claims;
    const ref = { userId: sub, sessionId: sid };
    await this.sessions.revokeAccessToken(ref, jti, this.tokens.acceptedUntil(exp));
    this.audit.record({
      event: AuditEventType.TokenRevoked,
      userId: sub,
      ip,
      details: { tokenType: 'access_token', sessionId: sid, jti },
    });
  }

  /**
   * A refresh token ends its whole session (RFC 7009 §2.1: and the access tokens of that grant),
   * but only when the secret's hash is one this session issued, current or retired: the session
   * id is not secret (it is in every access token), so knowing it must never be enough.
   */
  private async revokeRefresh(ref: SessionRef, hash: string, ip: string | null): Promise<void> {
    if ((await this.sessions.refreshHashState(ref, hash)) === 'unknown') return;
    const session = await this.sessions.get(ref);
    if (!session) return;
    const sessionId = session.id;
    await this.sessionsService.end(session.userId, sessionId, 'refresh token revoked');
    this.audit.record({
      event: AuditEventType.TokenRevoked,
      userId: session.userId,
      ip,
      details: { tokenType: 'refresh_token', sessionId },
    });
  }
}
