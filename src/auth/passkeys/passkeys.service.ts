import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import {
  generateRegistrationOptions,
  verifyRegistrationResponse,
  type PublicKeyCredentialCreationOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { AuditEventType } from '../../audit/audit-event';
import { AuditService } from '../../audit/audit.service';
import { AppError, AppErrorCode } from '../../common/errors/app-error';
import { uuidv7 } from '../../common/crypto/ids';
import { Clock, InjectClock } from '../../common/time/clock';
import { passkeysConfig, PasskeysConfig } from '../../config/configuration';
import { SessionsService } from '../../tokens/sessions.service';
import { MFA_ENROL_SCOPE } from '../../tokens/token.service';
import { AuthenticatedUser, ClientInfo } from '../../tokens/token.types';
import { PasswordHasher } from '../../users/password-hasher';
import { UsersService } from '../../users/users.service';
import { BruteForceService } from '../brute-force/brute-force.service';
import { MfaService } from '../mfa/mfa.service';
import { clientDataOf, madeCrossOrigin } from './client-data';
import { credentialIdProblem, publicKeyProblem, usableTransports } from './credential-checks';
import { InjectPasskeyStore, PasskeyStore, StoredPasskey } from './passkey.store';

/**
 * The COSE algorithms a passkey may use, in the order offered: Ed25519, ES256, RS256. Fixed, not
 * the library's default, which follows what the running Node can verify: on Node 24 it also
 * offers ML-DSA, whose 2.4 KB signatures authenticators then choose and our bounds refuse, so
 * the same build would register different keys on different Nodes.
 */
const PASSKEY_ALGORITHMS = [-8, -7, -257];
/** How long a ceremony may take in the browser, and how long its challenge is kept. */
export const CEREMONY_TIMEOUT_MS = 120_000;
/** Passkeys one user may have: enough for every device, few enough to list and exclude. */
export const MAX_PASSKEYS_PER_USER = 20;

/**
 * Passkeys of signed-in users (issue 11.3, docs/passkeys.md): registration options and
 * verification, listing and removal. Sign-in lives in PasskeySignIn; both share the store.
 */
@Injectable()
export class PasskeysService implements OnModuleInit {
  constructor(
    @Inject(passkeysConfig.KEY) private readonly config: PasskeysConfig,
    @InjectPasskeyStore() private readonly store: PasskeyStore,
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
    private readonly bruteForce: BruteForceService,
    private readonly mfa: MfaService,
    private readonly audit: AuditService,
    @InjectClock() private readonly clock: Clock,
  ) {}

  /** A deleted user's passkeys go with it. */
  onModuleInit(): void {
    this.users.onDelete((userId) => this.store.removeAll(userId));
  }

  /** Whether `userId` has a passkey (and passkeys are on): it counts as an enrolled factor. */
  async has(userId: string): Promise<boolean> {
    if (!this.config.enabled) return false;
    return (await this.store.list(userId)).length > 0;
  }

  /**
   * Options for `navigator.credentials.create()`: a discoverable credential with user
   * verification, none of the user's own authenticators again. The password is required (and
   * counted like a login's): a stolen access token alone must not plant a key that signs in for
   * good. The challenge waits 2 minutes, one per session (a new one of the session replaces it).
   */
  async registrationOptions(
    caller: AuthenticatedUser,
    password: string,
    client: ClientInfo,
  ): Promise<PublicKeyCredentialCreationOptionsJSON> {
    this.requireEnabled();
    const user = await this.users.get(caller.userId);
    const attempt = await this.bruteForce.admit(user.username, client, user);
    if (!(await this.hasher.verify(user.passwordHash, password))) {
      await this.bruteForce.failed(attempt);
      throw new AppError(AppErrorCode.WrongPassword, 'The current password is wrong.');
    }
    await this.bruteForce.succeeded(attempt);
    const existing = await this.store.list(user.id);
    if (existing.length >= MAX_PASSKEYS_PER_USER) throw tooMany();
    const options = await generateRegistrationOptions({
      rpName: this.config.rpName,
      rpID: this.config.rpId,
      // The user handle is the user id (random, no personal data): a usernameless sign-in
      // names its account by it, signed by nobody, so it only ever selects where to look.
      userID: new TextEncoder().encode(user.id),
      userName: user.email,
      userDisplayName: user.username,
      timeout: CEREMONY_TIMEOUT_MS,
      attestationType: 'none',
      excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      supportedAlgorithmIDs: PASSKEY_ALGORITHMS,
    });
    // Bound to this session: another session of the user (another device, or whoever holds a
    // token of one) can neither replace it nor finish with it.
    await this.store.saveRegistrationChallenge(
      user.id,
      caller.sessionId,
      options.challenge,
      CEREMONY_TIMEOUT_MS,
    );
    return options;
  }

  /**
   * Verifies what the authenticator made for the challenge this session asked for (used up either
   * way; another session's is neither seen nor used up): origin, RP ID, user verification, and
   * the attestation's own signature. An enrolment-only session (MFA_REQUIRED_ROLES) ends: the
   * user signs in again, with the passkey.
   */
  async register(
    caller: AuthenticatedUser,
    name: string | undefined,
    response: RegistrationResponseJSON,
    client: ClientInfo,
  ): Promise<StoredPasskey> {
    this.requireEnabled();
    const challenge = await this.store.takeRegistrationChallenge(caller.userId, caller.sessionId);
    if (!challenge) throw invalidRegistration('No registration in progress; ask for options.');
    if (madeCrossOrigin(clientDataOf(response.response.clientDataJSON))) {
      throw invalidRegistration(
        'The passkey was made in a frame of another site (crossOrigin); register it from this site.',
      );
    }
    const info = await this.verifyRegistration(response, challenge);
    const { credential } = info;
    const unusable =
      credentialIdProblem(response, credential.id) ??
      publicKeyProblem(credential.publicKey, PASSKEY_ALGORITHMS);
    if (unusable) throw invalidRegistration(`The passkey cannot be registered: ${unusable}.`);
    const passkey: StoredPasskey = {
      id: uuidv7(this.clock.now()),
      credentialId: credential.id,
      publicKey: Buffer.from(credential.publicKey).toString('base64url'),
      counter: credential.counter,
      transports: usableTransports(credential.transports),
      name: name?.trim() || 'Passkey',
      deviceType: info.credentialDeviceType,
      backedUp: info.credentialBackedUp,
      createdAt: this.clock.now(),
      lastUsedAt: null,
    };
    const added = await this.store.add(caller.userId, passkey, MAX_PASSKEYS_PER_USER);
    // One answer whether this account or another holds the credential id: which one is not told.
    if (added === 'exists' || added === 'taken') throw alreadyRegistered();
    if (added === 'full') throw tooMany();
    this.audit.record({
      event: AuditEventType.PasskeyRegistered,
      userId: caller.userId,
      ip: client.ip,
      details: { passkeyId: passkey.id, name: passkey.name, deviceType: passkey.deviceType },
    });
    // As a TOTP confirmation: every other session ends (signed in with fewer factors, and an
    // enrolment-only one left elsewhere must not go on enrolling factors of its own); this one
    // stays unless it is enrolment-only itself.
    const keep = caller.scopes.includes(MFA_ENROL_SCOPE) ? undefined : caller.sessionId;
    await this.sessions.endAll(caller.userId, 'passkey registered', keep);
    return passkey;
  }

  async list(caller: AuthenticatedUser): Promise<StoredPasskey[]> {
    this.requireEnabled();
    const passkeys = await this.store.list(caller.userId);
    return passkeys.sort((a, b) => a.createdAt - b.createdAt);
  }

  /**
   * Removes one of the caller's passkeys; 404 for any other id, whoever's it is. A user whose
   * role requires a second factor keeps the last one (403) unless TOTP is on: a required factor
   * cannot be turned off (MfaService.disable says the same of TOTP).
   */
  async remove(caller: AuthenticatedUser, id: string, client: ClientInfo): Promise<void> {
    this.requireEnabled();
    const keepOne = await this.mustKeepAPasskey(caller.userId);
    const removed = await this.store.remove(caller.userId, id, keepOne);
    if (removed === 'last') throw lastRequiredFactor();
    if (!removed) throw new AppError(AppErrorCode.NotFound, 'No such passkey.');
    this.audit.record({
      event: AuditEventType.PasskeyRemoved,
      userId: caller.userId,
      ip: client.ip,
      details: { passkeyId: id },
    });
  }

  /**
   * Whether the user's last passkey must stay: their role requires a second factor and TOTP is
   * off (a required TOTP factor cannot be turned off, so it cannot go meanwhile). The store
   * checks the count in the removal's own atomic step.
   */
  private async mustKeepAPasskey(userId: string): Promise<boolean> {
    if (!this.mfa.requiredFor(await this.users.get(userId))) return false;
    return !(await this.mfa.enabledFor(userId));
  }

  private async verifyRegistration(response: RegistrationResponseJSON, challenge: string) {
    try {
      const result = await verifyRegistrationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: this.config.origins,
        expectedRPID: this.config.rpId,
        requireUserVerification: true,
        supportedAlgorithmIDs: PASSKEY_ALGORITHMS,
      });
      if (result.verified) return result.registrationInfo;
    } catch {
      // The library says why in English; the client gets one answer, the same for every cause.
    }
    throw invalidRegistration('The passkey could not be registered; ask for new options.');
  }

  requireEnabled(): void {
    if (!this.config.enabled) {
      throw new AppError(AppErrorCode.NotFound, 'Passkeys are off on this server.');
    }
  }
}

function invalidRegistration(detail: string): AppError {
  return new AppError(AppErrorCode.InvalidPasskeyRegistration, detail);
}

function alreadyRegistered(): AppError {
  return new AppError(AppErrorCode.PasskeyAlreadyRegistered, 'This passkey is registered already.');
}

function tooMany(): AppError {
  return new AppError(
    AppErrorCode.TooManyPasskeys,
    `This account has ${MAX_PASSKEYS_PER_USER} passkeys, the most allowed; remove one first.`,
  );
}

function lastRequiredFactor(): AppError {
  return new AppError(
    AppErrorCode.Forbidden,
    'Your role requires a second factor: the last one cannot be removed (register another passkey or turn on TOTP first).',
  );
}
