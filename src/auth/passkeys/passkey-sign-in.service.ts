import { Inject, Injectable } from '@nestjs/common';
import {
  generateAuthenticationOptions,
  verifyAuthenticationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { AuditEventType } from '../../audit/audit-event';
import { AuditService } from '../../audit/audit.service';
import { AppError, AppErrorCode } from '../../common/errors/app-error';
import { Clock, InjectClock } from '../../common/time/clock';
import { passkeysConfig, PasskeysConfig } from '../../config/configuration';
import { SessionsService } from '../../tokens/sessions.service';
import { AMR } from '../../tokens/token.service';
import { ClientInfo } from '../../tokens/token.types';
import { User } from '../../users/user';
import { UsersService } from '../../users/users.service';
import { ClientData, clientDataOf, madeCrossOrigin } from './client-data';
import { InjectPasskeyStore, PasskeyStore, StoredPasskey } from './passkey.store';
import { CEREMONY_TIMEOUT_MS, PasskeysService } from './passkeys.service';

/** A verified passkey sign-in: whom, under which generation, and how (`amr`). */
export interface PasskeySignInResult {
  user: User;
  generation: number;
  passkey: StoredPasskey;
  amr: readonly string[];
}

const USER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const FAILED = 'The passkey could not sign you in; ask for new options and try again.';

/**
 * Usernameless sign-in with a passkey (a discoverable credential): options with a single-use
 * challenge, then the assertion's checks. Every refusal is the same 401 (whether the passkey,
 * the account or the challenge was wrong), so the route tells nobody which accounts exist.
 */
@Injectable()
export class PasskeySignInService {
  constructor(
    @Inject(passkeysConfig.KEY) private readonly config: PasskeysConfig,
    @InjectPasskeyStore() private readonly store: PasskeyStore,
    private readonly passkeys: PasskeysService,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    @InjectClock() private readonly clock: Clock,
  ) {}

  /** Options for `navigator.credentials.get()`: no account named, user verification required. */
  async options(): Promise<PublicKeyCredentialRequestOptionsJSON> {
    this.passkeys.requireEnabled();
    const options = await generateAuthenticationOptions({
      rpID: this.config.rpId,
      userVerification: 'required',
      timeout: CEREMONY_TIMEOUT_MS,
    });
    await this.store.saveLoginChallenge(options.challenge, CEREMONY_TIMEOUT_MS);
    return options;
  }

  /**
   * Checks an assertion: its challenge is ours and unused (used up now), its account and passkey
   * exist, and the signature, origin, RP ID, user verification and counter all check. The
   * generation is read before the user, as a password login does (AuthService.signIn), so a
   * change that ends sessions meanwhile voids this sign-in too.
   */
  async verify(response: AuthenticationResponseJSON, client: ClientInfo) {
    this.passkeys.requireEnabled();
    const clientData = clientDataOf(response.response.clientDataJSON);
    const challenge = challengeOf(clientData);
    if (!challenge || !(await this.store.takeLoginChallenge(challenge))) {
      throw this.failed(client, null, 'unknown, used or expired challenge');
    }
    // The one 401 as for every other cause: a sign-in tells nothing apart (docs/passkeys.md).
    if (madeCrossOrigin(clientData)) throw this.failed(client, null, 'cross-origin');
    const userId = userIdOf(response);
    if (!userId) throw this.failed(client, null, 'no account in the passkey');
    const generation = await this.sessions.generation(userId);
    const [user, passkey] = await Promise.all([
      this.users.findById(userId),
      this.store.findByCredential(userId, response.id),
    ]);
    // Anonymous: the user handle is not signed, so anyone can name any account with it, and a
    // user's own history must not fill with strangers' noise (anonymous failures are limited).
    if (!user || !passkey) throw this.failed(client, null, 'unknown passkey');
    if (!user.active) throw this.failed(client, user.id, 'inactive');
    const info = await this.check(response, challenge, passkey, client, user.id);
    const used = await this.store.use(
      user.id,
      passkey.credentialId,
      info.newCounter,
      this.clock.now(),
    );
    if (used.outcome === 'regressed') {
      // The counter the store compared against, not the one read before the signature was
      // checked: a concurrent sign-in may have moved it on meanwhile.
      this.audit.record({
        event: AuditEventType.PasskeyCounterRegressed,
        userId: user.id,
        ip: client.ip,
        details: { passkeyId: passkey.id, counter: info.newCounter, stored: used.stored },
      });
      throw new AppError(AppErrorCode.InvalidPasskey, FAILED);
    }
    if (used.outcome === 'missing') throw this.failed(client, user.id, 'passkey removed');
    const amr =
      info.credentialDeviceType === 'singleDevice' ? AMR.passkeyHardware : AMR.passkeySynced;
    return { user, generation, passkey, amr } satisfies PasskeySignInResult;
  }

  /** The library's checks; the counter is passed as 0 and checked atomically by the store. */
  private async check(
    response: AuthenticationResponseJSON,
    challenge: string,
    passkey: StoredPasskey,
    client: ClientInfo,
    userId: string,
  ) {
    try {
      const result = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: this.config.origins,
        expectedRPID: this.config.rpId,
        credential: {
          id: passkey.credentialId,
          publicKey: Buffer.from(passkey.publicKey, 'base64url'),
          counter: 0,
          transports: passkey.transports,
        },
        requireUserVerification: true,
      });
      if (result.verified) return result.authenticationInfo;
      throw this.failed(client, userId, 'signature');
    } catch (error) {
      if (error instanceof AppError) throw error;
      // The library's reason (origin, RP ID, user verification…) is for operators only.
      const reason = error instanceof Error ? error.message.slice(0, 200) : 'verification';
      throw this.failed(client, userId, reason);
    }
  }

  /** Audits a refused sign-in (LOGIN_FAILED, method passkey) and returns the one 401. */
  private failed(client: ClientInfo, userId: string | null, reason: string): AppError {
    this.audit.record({
      event: AuditEventType.LoginFailed,
      userId,
      ip: client.ip,
      details: { method: 'passkey', reason },
    });
    return new AppError(AppErrorCode.InvalidPasskey, FAILED);
  }
}

/** The challenge the browser signed, from clientDataJSON; null when it is not readable. */
function challengeOf(clientData: ClientData | null): string | null {
  const challenge = clientData?.challenge;
  return typeof challenge === 'string' && challenge.length <= 128 ? challenge : null;
}

/** The user id the authenticator returned as user handle; null when absent or not one. */
function userIdOf(response: AuthenticationResponseJSON): string | null {
  const handle = response.response.userHandle;
  if (!handle) return null;
  const id = Buffer.from(handle, 'base64url').toString('utf8');
  return USER_ID.test(id) ? id : null;
}
