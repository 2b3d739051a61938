import { Inject, Injectable } from '@nestjs/common';
import { AuditEventType } from '../audit/audit-event';
import { AuditService } from '../audit/audit.service';
import { AppError, AppErrorCode } from '../common/errors/app-error';
import { randomToken, uuidv7 } from '../common/crypto/ids';
import { Clock, InjectClock } from '../common/time/clock';
import { jwtConfig, JwtConfig, securityConfig, SecurityConfig } from '../config/configuration';
import { graceClientHash, RefreshGraceSeal } from './refresh-grace';
import { newRefreshToken, parseRefreshToken } from './refresh-token';
import { RefreshGrace, RotateResult, Session, SessionRef, sessionRef } from './session';
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

/** A refresh's new pair; `repeated` when it is the answer of an earlier use (grace window). */
export interface RefreshOutcome {
  response: TokenResponse;
  session: Session;
  repeated?: true;
}

/** A pair signed ahead of a rotation, and what the rotation keeps of it for the grace window. */
interface GraceOffer {
  response: TokenResponse;
  session: Session;
  grace: RefreshGrace;
}

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
    private readonly graceSeal: RefreshGraceSeal,
  ) {}

  /**
   * Starts a session (login) and returns its first token pair; null when the user's credential
   * generation is no longer `generation` (a change that ends sessions raced this login: the
   * caller re-reads the user and tries again). Beyond the per-user cap the least recently used
   * sessions end, audited. `amr` says how the user signed in, and `jkt` the DPoP key the session
   * is bound to (RFC 9449); every access token carries both (`amr`, `cnf.jkt`).
   */
  async startSession(
    subject: TokenSubject,
    scope: string,
    client: ClientInfo,
    generation: number,
    binding: { amr?: readonly string[]; jkt?: string | null } = {},
  ): Promise<TokenResponse | null> {
    const { amr = AMR.password, jkt } = binding;
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
      ...(jkt ? { jkt } : {}),
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

  /** REFRESH_REUSE_GRACE_SECONDS: 0 is the strict rule, no grace at all. */
  get refreshGraceSeconds(): number {
    return this.security.refreshReuseGraceSeconds;
  }

  /**
   * Rotates a refresh token. `loadSubject` gives the user's current roles, or null when the user
   * may no longer hold tokens (deleted, deactivated): then the session ends. `client` names the
   * presenting client as the caller has verified it (a device cookie's id): within the grace
   * window, the same client presenting the same token again gets the same answer (`repeated`)
   * instead of ending the session. Without `client`, or with no window, reuse is theft.
   */
  async refresh(
    presented: string,
    loadSubject: (userId: string) => Promise<TokenSubject | null>,
    jkt: string | null = null,
    client?: string,
  ): Promise<RefreshOutcome> {
    const parsed = parseRefreshToken(presented);
    if (!parsed) throw invalidRefreshToken();
    const next = newRefreshToken(parsed);
    // The user is read alongside the rotation (one round trip, not two: the client sends the
    // commands of one event-loop turn together).
    // Safe in either order: a change of rights writes the user and then bumps the generation,
    // so a read that missed it is followed by a bump that ends this session, or the rotation
    // already finds the session of an old generation and refuses it.
    const subjectRead = loadSubject(parsed.userId);
    subjectRead.catch(() => undefined); // awaited below only when the rotation succeeds
    const offer =
      client && this.refreshGraceSeconds > 0
        ? await this.graceOffer(presented, parsed, next.token, subjectRead, client, jkt)
        : undefined;
    const now = this.clock.now();
    const result = await this.sessions.rotate(
      parsed,
      parsed.hash,
      next.hash,
      now,
      jkt,
      offer?.grace,
    );
    switch (result.status) {
      case 'invalid':
        throw invalidRefreshToken();
      case 'dpop-mismatch':
        // RFC 9449 §5: the session is bound to a key this request did not prove. Nothing
        // changed; the same answer whether the proof was missing or by another key. Audited: a
        // bound refresh token without its key is a stolen copy being tried.
        this.audit.record({
          event: AuditEventType.TokenInvalid,
          userId: parsed.userId,
          details: { sessionId: parsed.sessionId, reason: 'refresh without the DPoP key' },
        });
        throw new AppError(
          AppErrorCode.InvalidDpopProof,
          'DPoP proof refused: this refresh token is bound to a DPoP key; prove it.',
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
      case 'grace':
        return this.repeat(presented, offer, result);
      case 'rotated': {
        if (offer) return { response: offer.response, session: offer.session };
        const subject = await subjectRead;
        if (!subject) {
          await this.sessions.revoke(sessionRef(result.session));
          throw invalidRefreshToken();
        }
        // What was granted at login ∩ what the user may hold now: a demoted user's session never
        // keeps the scopes of the rights it lost, even one that raced the change.
        const session = {
          ...result.session,
          scope: narrowScope(result.session.scope, subject, result.session.amr),
        };
        return { response: await this.respond(subject, session, next.token), session };
      }
    }
  }

  /**
   * The pair this refresh will answer, signed before the rotation so that the rotation keeps it
   * (sealed) in the same atomic step: there is no moment at which the token is retired but its
   * answer not yet kept, which concurrent presentations would have to wait out. Safe to sign
   * early: of a session, tokens carry only fields that never change (id, end, scope, amr).
   * Undefined when there is no session or no user: the strict path then answers as always.
   */
  private async graceOffer(
    presented: string,
    ref: SessionRef,
    nextToken: string,
    subjectRead: Promise<TokenSubject | null>,
    client: string,
    jkt: string | null,
  ): Promise<GraceOffer | undefined> {
    const [stored, subject] = await Promise.all([this.sessions.get(ref), subjectRead]);
    if (!stored || !subject) return undefined;
    // As the rotation will leave it: bound to the request's DPoP key if it was not yet (a
    // session bound to another key is refused by the rotation, and this answer never used).
    const session = {
      ...stored,
      scope: narrowScope(stored.scope, subject, stored.amr),
      ...(stored.jkt || !jkt ? {} : { jkt }),
    };
    const response = await this.respond(subject, session, nextToken);
    const now = this.clock.now();
    const clientHash = graceClientHash(client);
    const answer = { response, issuedAt: now };
    const sealed = this.graceSeal.seal(presented, `${session.id}.${clientHash}`, answer);
    const expiresAt = now + this.refreshGraceSeconds * 1000;
    return { response, session, grace: { client: clientHash, sealed, expiresAt } };
  }

  /** The answer a rotation of `presented` gave this client, lifetimes counted down since. */
  private repeat(
    presented: string,
    offer: GraceOffer | undefined,
    result: Extract<RotateResult, { status: 'grace' }>,
  ): RefreshOutcome {
    const context = `${result.session.id}.${offer?.grace.client}`;
    const answer = offer && this.graceSeal.open(presented, context, result.sealed);
    if (!answer) throw invalidRefreshToken();
    const elapsed = Math.max(0, Math.floor((this.clock.now() - answer.issuedAt) / 1000));
    const { response } = answer;
    return {
      response: {
        ...response,
        expires_in: Math.max(0, response.expires_in - elapsed),
        refresh_expires_in: Math.max(0, response.refresh_expires_in - elapsed),
      },
      session: result.session,
      repeated: true,
    };
  }

  private async respond(
    subject: TokenSubject,
    session: Session,
    refreshToken: string,
  ): Promise<TokenResponse> {
    const now = this.clock.now();
    return {
      access_token: await this.signAccessToken(subject, session),
      // RFC 9449 §5: a bound token is a DPoP token, sent as `Authorization: DPoP`.
      token_type: session.jkt ? 'DPoP' : 'Bearer',
      expires_in: this.jwt.accessTtl,
      refresh_token: refreshToken,
      refresh_expires_in: Math.max(0, Math.floor((session.expiresAt - now) / 1000)),
      scope: session.scope,
      session_id: session.id,
    };
  }

  private signAccessToken(subject: TokenSubject, session: Session): Promise<string> {
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
      ...(session.jkt ? { cnf: { jkt: session.jkt } } : {}),
    };
    return this.signer.sign(claims, ACCESS_TOKEN_TYP);
  }
}

/**
 * What a refresh grants: (granted at login) ∩ (allowed now). An enrolment-only session keeps
 * exactly its one scope: it is no grant of rights, and narrowing it to nothing would make its
 * tokens look like tokens without restrictions to the routes that need no scope. A user who must
 * have a second factor now (MFA_REQUIRED_ROLES set, or a role gained since) keeps a session
 * signed in without one only as an enrolment-only session.
 */
function narrowScope(granted: string, subject: TokenSubject, amr?: string[]): string {
  if (granted === MFA_ENROL_SCOPE) return granted;
  if (subject.mfaRequired && !(amr ?? []).includes('mfa')) return MFA_ENROL_SCOPE;
  return granted
    .split(' ')
    .filter((s) => s && subject.scopes.includes(s))
    .join(' ');
}

/** One answer for every refresh token that cannot be used: it tells a client nothing more. */
function invalidRefreshToken(): AppError {
  return new AppError(AppErrorCode.InvalidRefreshToken, 'The refresh token is invalid or expired.');
}
