import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { toDataURL } from 'qrcode';
import { AuditEventType } from '../../audit/audit-event';
import { AuditService } from '../../audit/audit.service';
import { SecretBox } from '../../common/crypto/secret-box';
import { AppError, AppErrorCode } from '../../common/errors/app-error';
import { Clock, InjectClock } from '../../common/time/clock';
import { jwtConfig, JwtConfig, mfaConfig, MfaConfig } from '../../config/configuration';
import { ROLE_DEFAULT_SCOPES } from '../../config/scopes';
import { allowedScopes } from '../scope-grant';
import { MFA_ENROL_SCOPE } from '../../tokens/token.service';
import { SessionsService } from '../../tokens/sessions.service';
import { AuthenticatedUser, ClientInfo } from '../../tokens/token.types';
import { PasswordHasher } from '../../users/password-hasher';
import { User } from '../../users/user';
import { UsersService } from '../../users/users.service';
import { BruteForceService, LoginAttempt } from '../brute-force/brute-force.service';
import { MFA_SECRET_BOX } from './mfa-secret-box';
import { ChallengeClaim, CodeUse, InjectMfaStore, MfaStore, TotpFactor } from './mfa.store';
import {
  invalidMfaToken,
  MFA_TOKEN_TTL_SECONDS,
  MfaChallenge,
  MfaTokenService,
} from './mfa-token.service';
import { newRecoveryCodes, recoveryCodeHash } from './recovery-codes';
import { newTotpSecret, totpStep, totpUri } from './totp';

/** How long an enrolment waits for its first code. */
export const ENROLMENT_TTL_SECONDS = 600;
/** Wrong codes one sign-in challenge (one mfa_token) survives; then it is dead. */
export const MAX_CHALLENGE_ATTEMPTS = 5;

/** A started enrolment: what the user's authenticator app needs. */
export interface TotpEnrolment {
  secret: string;
  otpauth_uri: string;
  /** The otpauth URI as a QR code, a `data:image/png;base64,…` URL. */
  qr_code: string;
  expires_in: number;
}

export interface MfaStatus {
  totp: boolean;
  /** ISO 8601; null when off. */
  enabledAt: string | null;
  recoveryCodesLeft: number;
  /** Whether the caller's role requires a second factor (MFA_REQUIRED_ROLES). */
  required: boolean;
}

/** Which second factor a right code was. */
export type SecondFactor = 'totp' | 'recovery_code';

/**
 * A code checked: the factor it was (used up), null (no code of ours), `replayed` (a TOTP code
 * accepted already), or `claimed` (the challenge was used already; nothing was used up).
 */
type CodeCheck = SecondFactor | 'replayed' | 'claimed' | 'stale' | null;

/** What a code is checked under: a sign-in challenge to claim, or the codes a renewal read. */
interface CodeGuard {
  claim?: ChallengeClaim;
  codesVersion?: number;
}

function named(use: CodeUse, factor: SecondFactor): CodeCheck {
  return use === 'used' ? factor : use === 'refused' ? null : use;
}

function isFactor(check: CodeCheck): check is SecondFactor {
  return check === 'totp' || check === 'recovery_code';
}

/**
 * TOTP second factor (RFC 6238) with recovery codes (issue 10.4, docs/mfa.md): enrolment with a
 * confirming first code, the sign-in challenge (mfa_token) and its completion, disabling and
 * renewing codes. Secrets are sealed at rest (MFA_ENCRYPTION_KEY), codes are accepted once,
 * recovery codes are stored as hashes and used once, and wrong codes lock per challenge and per
 * user.
 */
@Injectable()
export class MfaService implements OnModuleInit {
  private readonly logger = new Logger('Mfa');

  constructor(
    @Inject(mfaConfig.KEY) private readonly config: MfaConfig,
    @InjectMfaStore() private readonly store: MfaStore,
    @Inject(MFA_SECRET_BOX) private readonly box: SecretBox,
    private readonly mfaTokens: MfaTokenService,
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
    private readonly bruteForce: BruteForceService,
    private readonly audit: AuditService,
    @InjectClock() private readonly clock: Clock,
    @Inject(jwtConfig.KEY) private readonly jwt: JwtConfig,
  ) {}

  /** A deleted user's factor, recovery codes and pending enrolment go with it. */
  onModuleInit(): void {
    this.users.onDelete((userId) => this.store.disable(userId));
  }

  /** Whether a sign-in of `userId` needs a second factor: it has one on. */
  async enabledFor(userId: string): Promise<boolean> {
    if (!this.config.totp) return false;
    return (await this.store.factor(userId)) !== null;
  }

  /**
   * Whether `user` must enrol before anything else (MFA_REQUIRED_ROLES): it holds such a role,
   * or any scope such a role brings beyond a plain user's (a scope granted to a user directly
   * carries the same power as the role it comes from).
   */
  requiredFor(user: Pick<User, 'roles' | 'scopes'>): boolean {
    const { requiredRoles } = this.config;
    if (requiredRoles.some((role) => user.roles.includes(role))) return true;
    const plain = new Set(ROLE_DEFAULT_SCOPES.user ?? []);
    const privileged = new Set(
      requiredRoles.flatMap((role) => ROLE_DEFAULT_SCOPES[role] ?? []).filter((s) => !plain.has(s)),
    );
    return allowedScopes(user).some((scope) => privileged.has(scope));
  }

  async status(caller: AuthenticatedUser): Promise<MfaStatus> {
    this.requireEnabled();
    const [factor, left, user] = await Promise.all([
      this.store.factor(caller.userId),
      this.store.recoveryCodesLeft(caller.userId),
      this.users.get(caller.userId),
    ]);
    return {
      totp: factor !== null,
      enabledAt: factor ? new Date(factor.enabledAt).toISOString() : null,
      recoveryCodesLeft: factor ? left : 0,
      required: this.requiredFor(user),
    };
  }

  /**
   * Starts a TOTP enrolment: a fresh secret, kept sealed for 10 minutes until a first code
   * confirms it (POST /auth/mfa/totp/confirm). A second start replaces the first. 409 when a
   * factor is on already: disable it first.
   */
  async enrol(caller: AuthenticatedUser): Promise<TotpEnrolment> {
    this.requireEnabled();
    const user = await this.users.get(caller.userId);
    if (await this.store.factor(user.id)) throw alreadyEnabled();
    const secret = newTotpSecret();
    await this.store.savePending(
      user.id,
      this.box.seal(secret, user.id),
      ENROLMENT_TTL_SECONDS * 1000,
    );
    const uri = totpUri(secret, this.config.issuer, user.email);
    return {
      secret,
      otpauth_uri: uri,
      qr_code: await toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, width: 240 }),
      expires_in: ENROLMENT_TTL_SECONDS,
    };
  }

  /**
   * Confirms the pending enrolment with the password and a first code from the app (a token
   * alone must not put a factor between a user and their account): the factor is on, the ten
   * recovery codes are returned (shown this once, stored as hashes), and every other session of
   * the user ends (they were signed in with one factor). An enrolment-only session ends too: its
   * user signs in again, now with the code.
   */
  async confirm(
    caller: AuthenticatedUser,
    password: string,
    code: string,
    client: ClientInfo,
  ): Promise<{ recovery_codes: string[] }> {
    this.requireEnabled();
    await this.provePassword(await this.users.get(caller.userId), password, client);
    const pending = await this.store.findPending(caller.userId);
    if (!pending) throw notStarted();
    const secret = this.box.open(pending, caller.userId);
    if (!secret) throw this.unsealable({ sealedSecret: pending });
    const step = totpStep(secret, code, this.clock.now());
    if (step === null) throw invalidCode();
    const { codes, hashes } = newRecoveryCodes();
    if (!(await this.store.enable(caller.userId, pending, hashes, this.clock.now(), step))) {
      // Enabled meanwhile by a concurrent confirmation, or the enrolment was replaced.
      if (await this.store.factor(caller.userId)) throw alreadyEnabled();
      throw notStarted();
    }
    const keep = caller.scopes.includes(MFA_ENROL_SCOPE) ? undefined : caller.sessionId;
    const ended = await this.sessions.endAll(caller.userId, 'mfa enabled', keep);
    this.audit.record({
      event: AuditEventType.MfaEnabled,
      userId: caller.userId,
      ip: client.ip,
      details: { method: 'totp', endedSessions: ended.length },
    });
    return { recovery_codes: codes };
  }

  /**
   * Turns the second factor off: the password and a code (TOTP or recovery) are both required,
   * each counted like a login's (429 when locked). Recovery codes and any pending enrolment go.
   */
  async disable(
    caller: AuthenticatedUser,
    password: string,
    code: string,
    client: ClientInfo,
  ): Promise<void> {
    this.requireEnabled();
    if (this.requiredFor(await this.users.get(caller.userId))) {
      throw new AppError(
        AppErrorCode.Forbidden,
        'Your role requires a second factor: it cannot be turned off (renew the recovery codes, or enrol a new app after an operator removes this one).',
      );
    }
    const { factor } = await this.proveFactors(caller, password, code, client);
    if (!(await this.store.disable(caller.userId, factor.sealedSecret))) throw notEnabled();
    this.audit.record({ event: AuditEventType.MfaDisabled, userId: caller.userId, ip: client.ip });
  }

  /**
   * Ten new recovery codes (the old ones stop working), with the password and a code. It
   * replaces the set read before the password check and only that one (compare-and-set): of
   * concurrent renewals one answers 200, the others 409 recovery-codes-changed, so the codes a
   * 200 shows are the ones that work. A renewal that sees the set replaced before its own code
   * is checked stops there, its code unused.
   */
  async renewRecoveryCodes(
    caller: AuthenticatedUser,
    password: string,
    code: string,
    client: ClientInfo,
  ): Promise<{ recovery_codes: string[] }> {
    this.requireEnabled();
    const seen = await this.store.factor(caller.userId);
    if (!seen) throw notEnabled();
    const proof = await this.proveFactors(caller, password, code, client, seen.codesVersion);
    const { codes, hashes } = newRecoveryCodes();
    const { sealedSecret, codesVersion } = proof.factor;
    switch (
      await this.store.replaceRecoveryCodes(caller.userId, sealedSecret, codesVersion, hashes)
    ) {
      case 'replaced':
        this.audit.record({
          event: AuditEventType.RecoveryCodesRenewed,
          userId: caller.userId,
          ip: client.ip,
          details: { codes: codes.length, provedWith: proof.used },
        });
        return { recovery_codes: codes };
      case 'stale':
        throw codesChanged();
      case 'gone':
        throw notEnabled();
    }
  }

  /**
   * The answer to a right password of a user with a second factor: 403 mfa-required carrying a
   * 5-minute single-use `mfa_token` for POST /auth/login/mfa. Audited MFA_CHALLENGED.
   */
  async challenge(
    user: User,
    scope: string | undefined,
    generation: number,
    jkt: string | null,
  ): Promise<AppError> {
    const methods = ['totp', 'recovery_code'];
    // The ip is the request's (AuditService reads it from the request context, as clientOf
    // does); never the mfa_token.
    this.audit.record({
      event: AuditEventType.MfaChallenged,
      userId: user.id,
      details: { methods },
    });
    return new AppError(
      AppErrorCode.MfaRequired,
      'Enter the code from your authenticator app (or a recovery code).',
      {
        members: {
          mfa_token: await this.mfaTokens.issue(user.id, scope ?? null, generation, jkt),
          expires_in: MFA_TOKEN_TTL_SECONDS,
          methods,
        },
      },
    );
  }

  /**
   * Checks the code of a sign-in challenge and uses the challenge up, in one atomic step with the
   * code (a request that loses a race for the challenge uses up no code). Refusals: 401
   * invalid-mfa-token (not ours, expired, used, or its 5 attempts spent), 429 (the user's wrong
   * codes locked), 401 invalid-mfa-code (wrong, or used already), 400 invalid-dpop-proof (the
   * login proved a DPoP key and `jkt`, the key this request proved, is not it).
   */
  async completeChallenge(
    mfaToken: string,
    code: string,
    client: ClientInfo,
    jkt: string | null,
  ): Promise<{ challenge: MfaChallenge; factor: SecondFactor }> {
    this.requireEnabled();
    // A bound challenge without its key's proof is refused before any code is looked at.
    const challenge = this.mfaTokens.verify(mfaToken, jkt);
    const { userId } = challenge;
    // The token verifies until exp plus the allowed clock skew: its attempts and its single use
    // are remembered at least that long, or it would come back to life after them.
    const until = (challenge.exp + this.jwt.clockSkew) * 1000 + 1000;
    const ttlMs = Math.max(1000, until - this.clock.now());
    const attempt = await this.store.countChallengeAttempt(userId, challenge.id, ttlMs);
    if (attempt > MAX_CHALLENGE_ATTEMPTS) throw invalidMfaToken();
    const lock = await this.bruteForce.admitSecondFactor(userId, client);
    const factor = await this.store.factor(userId);
    // Disabled since the password was checked: this challenge is for a factor that is gone.
    if (!factor) throw invalidMfaToken();
    // Single use: of two right codes sent with one token, one signs in; the other uses nothing.
    const claim = { id: challenge.id, ttlMs };
    const used = await this.checkSettling(lock, userId, factor, code, { claim });
    if (used === 'claimed') {
      await this.bruteForce.succeeded(lock); // not a guess: the reservation goes back
      throw invalidMfaToken();
    }
    if (!isFactor(used)) {
      const left = MAX_CHALLENGE_ATTEMPTS - attempt;
      return this.refuse(used, lock, userId, client, 'login', left);
    }
    await this.bruteForce.succeeded(lock);
    if (used === 'recovery_code') await this.recoveryCodeUsed(userId, client);
    return { challenge, factor: used };
  }

  /**
   * The password and a second-factor code of the caller, each counted: the factor and which
   * second factor the code was, or throws.
   * With `codesVersion`, 409 when the recovery codes are another set by now (a concurrent
   * renewal won): before the code is checked, and for a recovery code in the step that would
   * use it, so a losing renewal proved with one leaves it unused.
   */
  private async proveFactors(
    caller: AuthenticatedUser,
    password: string,
    code: string,
    client: ClientInfo,
    codesVersion?: number,
  ): Promise<{ factor: TotpFactor; used: SecondFactor }> {
    const user = await this.users.get(caller.userId);
    await this.provePassword(user, password, client);
    const factor = await this.store.factor(user.id);
    if (!factor) throw notEnabled();
    if (codesVersion !== undefined && factor.codesVersion !== codesVersion) throw codesChanged();
    const lock = await this.bruteForce.admitSecondFactor(user.id, client);
    const used = await this.checkSettling(lock, user.id, factor, code, { codesVersion });
    if (used === 'stale') {
      await this.bruteForce.succeeded(lock); // not a guess: the reservation goes back
      throw codesChanged();
    }
    if (!isFactor(used)) return this.refuse(used, lock, user.id, client, 'confirmation', null);
    await this.bruteForce.succeeded(lock);
    if (used === 'recovery_code') await this.recoveryCodeUsed(user.id, client);
    return { factor, used };
  }

  /** The caller's password, counted like a login's (429 when locked), or 401 wrong-password. */
  private async provePassword(user: User, password: string, client: ClientInfo): Promise<void> {
    const attempt = await this.bruteForce.admit(user.username, client, user);
    if (!(await this.hasher.verify(user.passwordHash, password))) {
      await this.bruteForce.failed(attempt);
      throw new AppError(AppErrorCode.WrongPassword, 'The current password is wrong.');
    }
    await this.bruteForce.succeeded(attempt);
  }

  /** `check`, giving the reserved attempt back when the check itself fails (not the code). */
  private async checkSettling(
    lock: LoginAttempt,
    userId: string,
    factor: TotpFactor,
    code: string,
    guard: CodeGuard = {},
  ): Promise<CodeCheck> {
    try {
      return await this.check(userId, factor, code, guard);
    } catch (error) {
      await this.bruteForce.succeeded(lock).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Which factor `code` is, used up: a TOTP code of the factor's secret for a time step later
   * than any accepted before, or an unused recovery code. Null for anything else; `claimed`
   * when the guard's challenge was claimed already, `stale` when a recovery code's set is no
   * longer the guard's (then nothing was used up).
   */
  private async check(
    userId: string,
    factor: TotpFactor,
    code: string,
    { claim, codesVersion }: CodeGuard,
  ): Promise<CodeCheck> {
    const typed = code.replace(/\s/g, '');
    if (/^\d{6}$/.test(typed)) {
      const secret = this.box.open(factor.sealedSecret, userId);
      if (!secret) throw this.unsealable(factor);
      const step = totpStep(secret, typed, this.clock.now());
      if (step === null) return null;
      return named(await this.store.acceptStep(userId, factor.sealedSecret, step, claim), 'totp');
    }
    const hash = recoveryCodeHash(typed);
    if (!hash) return null;
    const use = await this.store.useRecoveryCode(userId, hash, claim, codesVersion);
    return named(use, 'recovery_code');
  }

  /**
   * A stored secret that MFA_ENCRYPTION_KEY does not open: sealed under another key (instances
   * configured apart, or a key changed without re-sealing). An outage of ours, not the user's
   * fault: 503, logged with the key ids (never key material).
   */
  private unsealable(factor: Pick<TotpFactor, 'sealedSecret'>): AppError {
    this.logger.error(
      { sealedWith: factor.sealedSecret.split('.')[1] ?? 'unknown', keyId: this.box.keyId },
      'A TOTP secret does not open with MFA_ENCRYPTION_KEY',
    );
    return new AppError(
      AppErrorCode.StoreUnavailable,
      'Second factors cannot be checked right now; try again shortly.',
    );
  }

  /**
   * Refuses a code with 401 invalid-mfa-code, audited. A wrong code counts toward the user's
   * second-factor lock; a replayed one (a right code of a step accepted already) does not: it
   * is no guess at the secret, and counting it would lock out a user whose app or browser sent
   * a code twice. It still spent one of its mfa_token's attempts (counted before the check).
   */
  private async refuse(
    used: Exclude<CodeCheck, SecondFactor>,
    lock: LoginAttempt,
    userId: string,
    client: ClientInfo,
    during: 'login' | 'confirmation',
    attemptsLeft: number | null,
  ): Promise<never> {
    const replayed = used === 'replayed';
    await (replayed ? this.bruteForce.succeeded(lock) : this.bruteForce.failed(lock));
    this.audit.record({
      event: AuditEventType.MfaFailed,
      userId,
      ip: client.ip,
      details: {
        during,
        reason: replayed ? 'replayed code' : 'wrong code',
        ...(attemptsLeft === null ? {} : { attemptsLeft }),
      },
    });
    throw invalidCode();
  }

  private async recoveryCodeUsed(userId: string, client: ClientInfo): Promise<void> {
    const left = await this.store.recoveryCodesLeft(userId);
    this.audit.record({
      event: AuditEventType.RecoveryCodeUsed,
      userId,
      ip: client.ip,
      details: { left },
    });
  }

  private requireEnabled(): void {
    if (!this.config.totp) {
      throw new AppError(AppErrorCode.NotFound, 'Second factors are off on this server.');
    }
  }
}

function invalidCode(): AppError {
  return new AppError(AppErrorCode.InvalidMfaCode, 'The code is wrong or was used already.');
}

function alreadyEnabled(): AppError {
  return new AppError(AppErrorCode.MfaAlreadyEnabled, 'A second factor is on already.');
}

function notEnabled(): AppError {
  return new AppError(AppErrorCode.MfaNotEnabled, 'This account has no second factor.');
}

function codesChanged(): AppError {
  return new AppError(
    AppErrorCode.RecoveryCodesChanged,
    'Another request renewed the recovery codes at the same time: its codes are the ones that work. Renew again for a set shown here.',
  );
}

function notStarted(): AppError {
  return new AppError(
    AppErrorCode.MfaEnrolmentNotStarted,
    'No enrolment in progress; start one at POST /auth/mfa/totp.',
  );
}
