import { Inject, Injectable } from '@nestjs/common';
import { AuditEventType } from '../audit/audit-event';
import { AuditService } from '../audit/audit.service';
import { AppError, AppErrorCode } from '../common/errors/app-error';
import { randomToken, uuidv7 } from '../common/crypto/ids';
import { Clock, InjectClock } from '../common/time/clock';
import { jwtConfig, JwtConfig, securityConfig, SecurityConfig } from '../config/configuration';
import { newRefreshToken, parseRefreshToken } from './refresh-token';
import { Session, sessionRef } from './session';
import { InjectSessionStore, SessionStore } from './session.store';
import { JwsSigner } from './jws-signer';
import { AccessClaims, ClientInfo, TokenResponse, TokenSubject } from './token.types';

/** Access token `typ` (RFC 9068); a token of another kind never passes as one. */
export const ACCESS_TOKEN_TYP = 'at+jwt';

/**
 * The `client_id` claim RFC 9068 §2.2 requires of every access token. Tokens come from Tessera's
 * own first-party login, not from an OAuth grant to a registered client, so there is one client:
 * Tessera itself, under a fixed id (the `client_id` a public client sends to /auth/revoke is not
 * an identity we check, so it cannot be what tokens carry).
 */
export const ACCESS_TOKEN_CLIENT_ID = 'tessera';

/**
 * The one scope of a session that may only enrol a second factor (MFA_REQUIRED_ROLES): no other
 * scope is ever granted beside it, a refresh keeps it, and JwtAuthGuard lets its tokens reach
 * only the routes marked `@AllowsEnrolmentOnlyToken()`. No resource server route requires it.
 */
export const MFA_ENROL_SCOPE = 'mfa:enrol';

/** How a session was signed in (RFC 8176 `amr` values). */
export const AMR = {
  password: ['pwd'],
  /** A password and a one-time code (TOTP or recovery code): two factors. */
  passwordAndOtp: ['pwd', 'otp', 'mfa'],
  /**
   * A passkey: proof of possession of a key that never leaves the authenticator, unlocked by
   * the authenticator's own user verification (PIN or biometric, which it does not tell us):
   * two factors in one gesture. `hwk` when the credential is bound to one device's hardware,
   * `swk` when it is a synced (backup-eligible) passkey kept in software by a password manager.
   */
  passkeyHardware: ['hwk', 'user', 'mfa'],
  passkeySynced: ['swk', 'user', 'mfa'],
} as const;

/** Issues token pairs, rotates refresh tokens and detects their reuse. */
@Injectable()
export class TokenService {
  constructor(
    private readonly signer: JwsSigner,
    @Inject(jwtConfig.KEY) private readonly jwt: JwtConfig,
    @Inject(securityConfig.KEY) private readonly security: SecurityConfig,
    @InjectSessionStore() private readonly sessions: SessionStore,
    @InjectClock() private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  /**
   * Starts a session (login) and returns its first token pair; null when the user's credential
   * generation is no longer `generation` (a change that ends sessions raced this login: the
   * caller re-reads the user and tries again). Beyond the per-user cap the least recently used
   * sessions end, audited. `amr` says how the user signed in; every access token carries it.
   */
  async startSession(
    subject: TokenSubject,
    scope: string,
    client: ClientInfo,
    generation: number,
    amr: readonly string[] = AMR.password,
  ): Promise<TokenResponse | null> {
    const now = this.clock.now();
    const id = uuidv7(now);
    const refresh = newRefreshToken({ userId: subject.id, sessionId: id });
    const session: Session = {
      id,
      userId: subject.id,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: now + this.jwt.refreshTtl * 1000,
      userAgent: client.userAgent?.slice(0, 256) ?? null,
      ip: client.ip,
      scope,
      amr: [...amr],
    };
    const created = await this.sessions.create(
      { ...session, refreshHash: refresh.hash, generation },
      this.security.maxSessionsPerUser,
    );
    if (created.status === 'stale') return null;
    if (created.evicted.length > 0) {
      this.audit.record({
        event: AuditEventType.SessionRevoked,
        userId: subject.id,
        ip: client.ip,
        details: { sessionIds: created.evicted, reason: 'session limit', by: id },
      });
    }
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
    if (!parsed) throw invalidRefreshToken();
    const next = newRefreshToken(parsed);
    // The user is read alongside the rotation (one round trip with auto-pipelining, not two).
    // Safe in either order: a change of rights writes the user and then bumps the generation,
    // so a read that missed it is followed by a bump that ends this session, or the rotation
    // already finds the session of an old generation and refuses it.
    const subjectRead = loadSubject(parsed.userId);
    subjectRead.catch(() => undefined); // awaited below only when the rotation succeeds
    const result = await this.sessions.rotate(parsed, parsed.hash, next.hash, this.clock.now());
    switch (result.status) {
      case 'invalid':
        throw invalidRefreshToken();
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
        const subject = await subjectRead;
        if (!subject) {
          await this.sessions.revoke(sessionRef(result.session));
          throw invalidRefreshToken();
        }
        // What was granted at login ∩ what the user may hold now: a demoted user's session never
        // keeps the scopes of the rights it lost, even one that raced the change.
        const session = { ...result.session, scope: narrowScope(result.session.scope, subject) };
        return { response: this.respond(subject, session, next.token), session };
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
      client_id: ACCESS_TOKEN_CLIENT_ID,
      iat,
      nbf: iat,
      exp,
      jti: randomToken(16),
      sid: session.id,
      roles: subject.roles,
      scope: session.scope,
      email_verified: subject.emailVerified,
      amr: session.amr ?? [...AMR.password],
    };
    return this.signer.sign(claims, ACCESS_TOKEN_TYP);
  }
}

/**
 * What a refresh grants: (granted at login) ∩ (allowed now). An enrolment-only session keeps
 * exactly its one scope: it is no grant of rights, and narrowing it to nothing would make its
 * tokens look like tokens without restrictions to the routes that need no scope.
 */
function narrowScope(granted: string, subject: TokenSubject): string {
  if (granted === MFA_ENROL_SCOPE) return granted;
  return granted
    .split(' ')
    .filter((s) => s && subject.scopes.includes(s))
    .join(' ');
}

/** One answer for every refresh token that cannot be used: it tells a client nothing more. */
function invalidRefreshToken(): AppError {
  return new AppError(AppErrorCode.InvalidRefreshToken, 'The refresh token is invalid or expired.');
}
