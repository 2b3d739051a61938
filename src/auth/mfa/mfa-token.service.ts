import { Inject, Injectable } from '@nestjs/common';
import { randomToken } from '../../common/crypto/ids';
import { AppError, AppErrorCode } from '../../common/errors/app-error';
import { Clock, InjectClock } from '../../common/time/clock';
import { jwtConfig, JwtConfig } from '../../config/configuration';
import { JwsSigner } from '../../tokens/jws-signer';
import { TypedTokens } from '../../tokens/typed-token-key';

/** `typ` of an mfa_token: never taken for an access token, a ticket or anything else. */
export const MFA_TOKEN_TYP = 'mfa+jwt';
/** How long a sign-in may wait for its second factor. */
export const MFA_TOKEN_TTL_SECONDS = 300;

/** What a verified mfa_token says: whose sign-in, which one, and what it asked for. */
export interface MfaChallenge {
  userId: string;
  /** The challenge id (`jti`): its attempts are counted, and it is used once. */
  id: string;
  /** The scope the login asked for (null: the user's defaults). */
  scope: string | null;
  /** The credential generation read before the password was checked (see AuthService.signIn). */
  generation: number;
  /** Epoch seconds. */
  exp: number;
  /** The DPoP key the login proved (RFC 7638 thumbprint): only a proof by it finishes this sign-in. */
  jkt: string | null;
}

/**
 * The `mfa_token` of a sign-in that needs its second factor: a JWS of ours with its own `typ` and
 * audience (`<issuer>/mfa`), valid for 5 minutes. It proves the password was right moments ago
 * and nothing else: the access-token verifier refuses its `typ`, it cannot be refreshed,
 * introspected as active or used on a WebSocket, and it is used up by the first right code
 * (claimed in the same atomic step that uses the code up: MfaStore). A login that proved a DPoP key
 * binds its mfa_token to that key (`cnf.jkt`, as an access token): the second step must prove the
 * same key, so the session it starts is bound to the key the client proved at login, and an
 * mfa_token copied on its way to the client is worth nothing without that key.
 */
@Injectable()
export class MfaTokenService {
  constructor(
    private readonly typed: TypedTokens,
    private readonly signer: JwsSigner,
    @Inject(jwtConfig.KEY) private readonly jwt: JwtConfig,
    @InjectClock() private readonly clock: Clock,
  ) {}

  private get audience(): string {
    return this.typed.audience('mfa');
  }

  issue(
    userId: string,
    scope: string | null,
    generation: number,
    jkt: string | null,
  ): Promise<string> {
    const iat = Math.floor(this.clock.now() / 1000);
    const claims = {
      iss: this.jwt.issuer,
      aud: this.audience,
      sub: userId,
      jti: randomToken(16),
      iat,
      exp: iat + MFA_TOKEN_TTL_SECONDS,
      gen: generation,
      ...(scope === null ? {} : { scope }),
      ...(jkt === null ? {} : { cnf: { jkt } }),
    };
    return this.signer.sign(claims, MFA_TOKEN_TYP);
  }

  /**
   * The challenge of a valid mfa_token of ours, or 401 invalid-mfa-token; 400 invalid-dpop-proof
   * when it is bound to a DPoP key and `jkt` (the key the request proved, or null) is not it.
   */
  verify(token: string, jkt: string | null): MfaChallenge {
    const challenge = challengeOf(this.typed.verify(token, MFA_TOKEN_TYP, this.audience));
    if (challenge.jkt !== null && challenge.jkt !== jkt) {
      throw new AppError(
        AppErrorCode.InvalidDpopProof,
        'DPoP proof refused: this sign-in is bound to the DPoP key proved at login; prove that key.',
      );
    }
    return challenge;
  }
}

function challengeOf(payload: unknown): MfaChallenge {
  if (typeof payload !== 'object' || payload === null) throw invalidMfaToken();
  const { sub, jti, exp, gen, scope, cnf } = payload as Record<string, unknown>;
  const strings = [sub, jti].every((v) => typeof v === 'string' && v.length > 0);
  const numbers = [exp, gen].every((v) => typeof v === 'number' && Number.isFinite(v));
  if (!strings || !numbers || (scope !== undefined && typeof scope !== 'string')) {
    throw invalidMfaToken();
  }
  return {
    userId: sub as string,
    id: jti as string,
    scope: scope ?? null,
    generation: gen as number,
    exp: exp as number,
    jkt: jktOf(cnf),
  };
}

/** The `cnf.jkt` of a bound mfa_token, null when it has no `cnf`. */
function jktOf(cnf: unknown): string | null {
  if (cnf === undefined) return null;
  const { jkt } = typeof cnf === 'object' && cnf !== null ? (cnf as Record<string, unknown>) : {};
  if (typeof jkt !== 'string' || jkt.length === 0) throw invalidMfaToken();
  return jkt;
}

export function invalidMfaToken(): AppError {
  return new AppError(
    AppErrorCode.InvalidMfaToken,
    'The MFA token is invalid, used or expired; sign in again.',
  );
}
