import { Inject, Injectable } from '@nestjs/common';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { AuditEventType } from '../audit/audit-event';
import { AuditService } from '../audit/audit.service';
import { AppError, AppErrorCode } from '../common/errors/app-error';
import { appConfig, AppConfig, mailConfig, MailConfig } from '../config/configuration';
import { parseRefreshToken } from '../tokens/refresh-token';
import { SessionsService } from '../tokens/sessions.service';
import { AMR, MFA_ENROL_SCOPE, TokenService } from '../tokens/token.service';
import { AuthenticatedUser, ClientInfo, TokenResponse, TokenSubject } from '../tokens/token.types';
import { PasswordHasher } from '../users/password-hasher';
import { PasswordPolicy } from '../users/password-policy';
import { User } from '../users/user';
import { UsersService } from '../users/users.service';
import { CallerLookup, InjectCallerLookup } from '../users/stores/caller-lookup';
import { BruteForceService, LoginAttempt } from './brute-force/brute-force.service';
import { EmailVerificationService } from './email-verification/email-verification.service';
import { LoginDto } from './dto/login.dto';
import { MfaService } from './mfa/mfa.service';
import { PasskeySignInService } from './passkeys/passkey-sign-in.service';
import { PasskeysService } from './passkeys/passkeys.service';
import { RegisterDto } from './dto/register.dto';
import { allowedScopes, grantScopes } from './scope-grant';

const INVALID_CREDENTIALS = 'Invalid credentials';
/** The 403 of a login under REQUIRE_VERIFIED_EMAIL: where to go next (also in OpenAPI). */
export const EMAIL_NOT_VERIFIED_DETAIL =
  'Verify your email address first: follow the link in the mail we sent, or ask for a new one ' +
  'at POST /auth/email/verify/resend.';

const PASSKEY_SESSIONS_ENDED =
  'The passkey could not sign you in; ask for new options and try again.';

/** A successful login: the tokens, and a fresh device cookie value for this client. */
export interface LoginResult {
  tokens: TokenResponse;
  /** Null only when a change that ends sessions raced the login's last step: no cookie then. */
  deviceToken: string | null;
}

/** Sign-up, sign-in, refresh and password change: the flows that need both users and tokens. */
@Injectable()
export class AuthService {
  constructor(
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly tokens: TokenService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly bruteForce: BruteForceService,
    @Inject(mailConfig.KEY) private readonly mail: MailConfig,
    private readonly verification: EmailVerificationService,
    private readonly mfa: MfaService,
    private readonly passkeys: PasskeysService,
    private readonly passkeySignIn: PasskeySignInService,
    @InjectCallerLookup() private readonly callers: CallerLookup,
  ) {}

  async register(dto: RegisterDto): Promise<User> {
    if (this.app.registration === 'closed') {
      throw new AppError(AppErrorCode.RegistrationClosed, 'Registration is closed on this server.');
    }
    // Roles are never taken from the body: self-registered users are plain users.
    const { email, username, password } = dto;
    const user = await this.users.create({ email, username, password });
    this.verification.registered(user);
    return user;
  }

  /** `jkt`: the DPoP key the request proved (RFC 9449): the session is bound to it. */
  async login(
    dto: LoginDto,
    client: ClientInfo,
    deviceToken?: string,
    jkt: string | null = null,
  ): Promise<LoginResult> {
    const { user, tokens, generation } = await this.signIn(dto, client, deviceToken, jkt);
    return this.signedIn(user, tokens, generation, client);
  }

  /**
   * The second step of a login whose user has a second factor: the `mfa_token` of the first
   * step and a code. The session starts under the credential generation read before the
   * password was checked, so a change that ends sessions since (a password change, a reset,
   * logout-all, deactivation) voids the challenge too.
   */
  async loginWithSecondFactor(
    mfaToken: string,
    code: string,
    client: ClientInfo,
    jkt: string | null = null,
  ): Promise<LoginResult> {
    const { challenge, factor } = await this.mfa.completeChallenge(mfaToken, code, client, jkt);
    const user = await this.users.findById(challenge.userId);
    if (!user?.active) throw new AppError(AppErrorCode.InvalidCredentials, INVALID_CREDENTIALS);
    const scope = grantScopes(user, challenge.scope ?? undefined);
    const tokens = await this.tokens.startSession(
      subjectOf(user),
      scope,
      client,
      challenge.generation,
      { amr: AMR.passwordAndOtp, jkt },
    );
    if (!tokens) throw new AppError(AppErrorCode.InvalidCredentials, INVALID_CREDENTIALS);
    return this.signedIn(user, tokens, challenge.generation, client, { secondFactor: factor });
  }

  /**
   * Sign-in with a passkey (usernameless): a session like any other, whose access tokens say how
   * (`amr`). A passkey is two factors in one gesture: no TOTP code is asked after it, and a user
   * whose role requires a second factor gets a full session.
   */
  async loginWithPasskey(
    response: AuthenticationResponseJSON,
    scope: string | undefined,
    client: ClientInfo,
    jkt: string | null = null,
  ): Promise<LoginResult> {
    const { user, generation, passkey, amr } = await this.passkeySignIn.verify(response, client);
    if (this.mail.requireVerifiedEmail && user.emailVerified !== true) {
      throw this.unverified(user, client);
    }
    const granted = grantScopes(user, scope);
    const tokens = await this.tokens.startSession(subjectOf(user), granted, client, generation, {
      amr,
      jkt,
    });
    if (!tokens) throw new AppError(AppErrorCode.InvalidPasskey, PASSKEY_SESSIONS_ENDED);
    return this.signedIn(user, tokens, generation, client, {
      method: 'passkey',
      passkeyId: passkey.id,
    });
  }

  /** Audits a new session and issues the client's device cookie value. */
  private async signedIn(
    user: User,
    tokens: TokenResponse,
    generation: number,
    client: ClientInfo,
    how: Record<string, string> = {},
  ): Promise<LoginResult> {
    this.audit.record({
      event: AuditEventType.LoginSuccess,
      userId: user.id,
      ip: client.ip,
      details: { sessionId: tokens.session_id, ...how },
    });
    this.audit.record({
      event: AuditEventType.TokenIssued,
      userId: user.id,
      ip: client.ip,
      details: { sessionId: tokens.session_id, scope: tokens.scope },
    });
    return { tokens, deviceToken: await this.bruteForce.deviceToken(user.id, generation) };
  }

  /**
   * Checks the credentials, then starts the session under the user's credential generation as it
   * was BEFORE the user was read. Any change that ends sessions (logout-all, a password change, a
   * change of rights, deactivation, deletion) that lands while this login is in flight moves the
   * generation on, and the store refuses the session: a login in flight never outlives it. The
   * client gets the same 401 as any failed login (only someone who knew the password sees it).
   */
  private async signIn(
    dto: LoginDto,
    client: ClientInfo,
    deviceToken: string | undefined,
    jkt: string | null,
  ) {
    const { user, generation, secondFactor } = await this.verifyCredentials(
      dto.username,
      dto.password,
      client,
      deviceToken,
    );
    // After the password checked out (and its failures were forgiven): only someone who knows
    // the password learns that the account exists and is unverified.
    if (this.mail.requireVerifiedEmail && user.emailVerified !== true) {
      throw this.unverified(user, client);
    }
    // A second factor is on: no session yet, a challenge (403 mfa-required with an mfa_token).
    // Its mfa_token carries the DPoP key of this login: the second step must prove it.
    if (secondFactor) {
      throw await this.mfa.challenge(user, dto.scope, generation, jkt);
    }
    // A role that requires a second factor, whose only factor is a passkey: sign in with it.
    const required = this.mfa.requiredFor(user);
    if (required && (await this.passkeys.has(user.id))) throw passkeyRequired();
    // A role that requires one, without one: a session that can only enrol (and sign out).
    const scope = required ? MFA_ENROL_SCOPE : grantScopes(user, dto.scope);
    const tokens = await this.tokens.startSession(subjectOf(user), scope, client, generation, {
      jkt,
    });
    if (!tokens) throw new AppError(AppErrorCode.InvalidCredentials, INVALID_CREDENTIALS);
    return { user, tokens, generation };
  }

  /**
   * The same 401 body, and one argon2 verification, whether the user is unknown, inactive or not.
   * Every attempt is counted before argon2 (429 when locked, no argon2 run) and taken back on
   * success. Returns the user as read after `generation` (see signIn), and whether a second
   * factor is on.
   *
   * Store round trips of a known user's login, reads and writes sent together where neither
   * needs the other's answer (the client writes a turn's commands at once): the login's id;
   * the record (generation and account) together with the attempt's reservation; argon2; the
   * refund together with the second-factor read.
   */
  private async verifyCredentials(
    login: string,
    password: string,
    client: ClientInfo,
    deviceToken?: string,
  ): Promise<{ user: User; generation: number; secondFactor: boolean }> {
    const id = await this.users.idByLogin(login);
    // Before argon2: the attempt is reserved (counted) first, so concurrent guesses cannot all
    // pass a check before any is counted; a locked client costs no argon2 run. Unknown usernames
    // lock alike, so a 429 says nothing about which accounts exist. An attempt counts against
    // the account its login names (its id), so the reservation needs no more than the id.
    const counted = id !== null ? { id } : await this.spelledUser(login);
    const [record, attempt] = await Promise.all([
      // The generation no later than the user it vouches for (CallerLookup.signInRecord: one
      // command on a single Redis); read the other way round, a change landing in between
      // would pass unseen.
      id !== null ? this.callers.signInRecord(id) : { generation: 0, user: null },
      this.bruteForce.admit(login, client, counted, deviceToken),
    ]);
    const { generation, user } = record;
    if (!user || !user.active) {
      await this.hasher.verifyDummy(password);
      throw await this.loginFailed(attempt, user, client, user ? 'inactive' : 'unknown user');
    }
    if (!(await this.hasher.verify(user.passwordHash, password))) {
      throw await this.loginFailed(attempt, user, client, 'wrong password');
    }
    const [, secondFactor] = await Promise.all([
      this.bruteForce.succeeded(attempt),
      this.mfa.enabledFor(user.id),
    ]);
    if (this.hasher.needsRehash(user.passwordHash)) {
      // Parameters were raised since this hash was made: upgrade it while we know the password,
      // but only while it is still this hash (compare-and-set): a password changed meanwhile
      // must never be overwritten by the old one.
      const upgraded = await this.hasher.hash(password);
      await this.users.replacePasswordHash(user.id, user.passwordHash, upgraded);
    }
    return { user, generation, secondFactor };
  }

  /**
   * Rotates a refresh token. `jkt` is the DPoP key the request proved (a bound session rotates
   * only with it); `deviceToken` the client's device cookie. Within the refresh grace window the
   * DPoP key, or else the device, is what makes a second presentation "the same client".
   */
  async refresh(
    refreshToken: string,
    client: ClientInfo,
    jkt: string | null = null,
    deviceToken?: string,
  ): Promise<TokenResponse> {
    const presenter = jkt ? `jkt:${jkt}` : await this.refreshingClient(refreshToken, deviceToken);
    const { response, session, repeated } = await this.tokens.refresh(
      refreshToken,
      async (userId) => {
        const user = await this.users.findById(userId);
        return user?.active ? subjectOf(user, this.mfa.requiredFor(user)) : null;
      },
      jkt,
      presenter,
    );
    this.audit.record({
      event: AuditEventType.TokenRefreshed,
      userId: session.userId,
      ip: client.ip,
      details: { sessionId: session.id, ...(repeated ? { repeated } : {}) },
    });
    return response;
  }

  /**
   * Who presents a refresh token, for its grace window: the device of a device cookie this
   * service issued to the token's user (its MAC checked: a thief holding only the refresh token
   * cannot make one up). Undefined without a window or such a cookie: then reuse is theft.
   */
  private async refreshingClient(
    refreshToken: string,
    deviceToken?: string,
  ): Promise<string | undefined> {
    if (!deviceToken || this.tokens.refreshGraceSeconds === 0) return undefined;
    const userId = parseRefreshToken(refreshToken)?.userId;
    const deviceId = userId ? await this.bruteForce.deviceOf(deviceToken, userId) : null;
    return deviceId ? `device:${deviceId}` : undefined;
  }

  /**
   * Changes the password; every other session ends, the current one stays. The current password
   * is guessed through the same lockout as login (keyed by user id and IP): a stolen access token
   * must not buy an unlimited password-guessing oracle. 429 comes before argon2 runs.
   */
  async changePassword(
    caller: AuthenticatedUser,
    current: string,
    next: string,
    client: ClientInfo,
  ): Promise<void> {
    const user = await this.users.get(caller.userId);
    const attempt = await this.bruteForce.admit(user.username, client, user);
    if (!(await this.hasher.verify(user.passwordHash, current))) {
      await this.bruteForce.failed(attempt);
      throw new AppError(AppErrorCode.WrongPassword, 'The current password is wrong.');
    }
    await this.bruteForce.succeeded(attempt);
    this.policy.check(next, user, 'newPassword');
    // Only over the hash just verified: of two concurrent changes, the second finds the current
    // password it checked gone, as a client with a stale current password should.
    const hash = await this.hasher.hash(next);
    if (!(await this.users.replacePasswordHash(user.id, user.passwordHash, hash))) {
      throw new AppError(AppErrorCode.WrongPassword, 'The current password is wrong.');
    }
    const ended = await this.sessions.endAll(user.id, 'password changed', caller.sessionId);
    this.audit.record({
      event: AuditEventType.PasswordChanged,
      userId: user.id,
      details: { endedSessions: ended.length },
    });
  }

  /**
   * Whom a login that named nobody still counts against: the user it names once trimmed. Such a
   * spelling can never sign in, but counting it on that user's budget keeps " alice" from being
   * a second budget for "alice" (and its answers identical to any other failure).
   */
  private async spelledUser(login: string): Promise<User | null> {
    const trimmed = login.trim();
    return trimmed === login ? null : this.users.findByLogin(trimmed);
  }

  /** REQUIRE_VERIFIED_EMAIL refuses this login: audited like a failure, a distinct answer. */
  private unverified(user: User, client: ClientInfo): AppError {
    this.audit.record({
      event: AuditEventType.LoginFailed,
      userId: user.id,
      ip: client.ip,
      details: { reason: 'email not verified' },
    });
    return new AppError(AppErrorCode.EmailNotVerified, EMAIL_NOT_VERIFIED_DETAIL);
  }

  /** Counts and audits a failed login and returns the one error every failure gets. */
  private async loginFailed(
    attempt: LoginAttempt,
    user: User | null,
    client: ClientInfo,
    reason: string,
  ): Promise<AppError> {
    await this.bruteForce.failed(attempt);
    // The reason is for operators only; the client always sees the same 401 body.
    this.audit.record({
      event: AuditEventType.LoginFailed,
      userId: user?.id ?? null,
      ip: client.ip,
      details: { reason },
    });
    return new AppError(AppErrorCode.InvalidCredentials, INVALID_CREDENTIALS);
  }
}

/**
 * The 403 of a right password of a user whose role requires a second factor and whose factor is
 * a passkey: no session, no mfa_token; the client signs in with the passkey instead.
 */
function passkeyRequired(): AppError {
  return new AppError(AppErrorCode.MfaRequired, 'Sign in with your passkey.', {
    members: { methods: ['passkey'] },
  });
}

function subjectOf(user: User, mfaRequired = false): TokenSubject {
  return {
    id: user.id,
    roles: user.roles,
    scopes: allowedScopes(user),
    emailVerified: user.emailVerified === true,
    mfaRequired,
  };
}
