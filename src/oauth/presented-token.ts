import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { KeyObject } from 'node:crypto';
import { accessClaimsOf } from '../auth/strategies/access-claims';
import { accessTokenKey } from '../auth/strategies/access-token-key';
import { Clock, InjectClock } from '../common/time/clock';
import { jwtConfig, JwtConfig } from '../config/configuration';
import { ParsedRefreshToken, parseRefreshToken } from '../tokens/refresh-token';
import { SigningKeys } from '../tokens/signing-keys';
import { AccessClaims } from '../tokens/token.types';

/** What a token given to revocation or introspection turned out to be. */
export type PresentedToken =
  /** One of our access tokens: signature, header and claims check (its session not yet asked). */
  | { kind: 'access_token'; claims: AccessClaims }
  /** Shaped like one of our refresh tokens; whether the session issued it is the store's call. */
  | ({ kind: 'refresh_token' } & ParsedRefreshToken)
  /** Anything else: forged, expired, a WebSocket ticket, garbage. */
  | { kind: 'invalid' };

/**
 * Tells our two kinds of token apart by their shape (a refresh token can never parse as a JWS) and
 * checks an access token exactly as the bearer strategy does (same header rules, same key set,
 * same claim checks), so revocation and introspection never trust a token the API would refuse.
 * `token_type_hint` is not needed for that and is ignored, as RFC 7009 §2.1 allows.
 */
@Injectable()
export class PresentedTokens {
  constructor(
    private readonly keys: SigningKeys,
    private readonly jwtService: JwtService,
    @Inject(jwtConfig.KEY) private readonly jwt: JwtConfig,
    @InjectClock() private readonly clock: Clock,
  ) {}

  classify(token: string): PresentedToken {
    const refresh = parseRefreshToken(token);
    if (refresh) return { kind: 'refresh_token', ...refresh };
    const claims = this.accessClaims(token);
    return claims ? { kind: 'access_token', claims } : { kind: 'invalid' };
  }

  /** How long, in epoch ms, an access token with this `exp` is still accepted (skew included). */
  acceptedUntil(exp: number): number {
    return (exp + this.jwt.clockSkew) * 1000;
  }

  private accessClaims(token: string): AccessClaims | null {
    const key = accessTokenKey(this.keys, this.jwt.algorithm, token);
    if (!(key instanceof KeyObject)) return null;
    try {
      const payload: unknown = this.jwtService.verify(token, {
        // A KeyObject, not a PEM string: see shared/TOOLCHAIN.md on jsonwebtoken's key parsing.
        publicKey: key as unknown as Buffer,
        algorithms: [this.jwt.algorithm],
        issuer: this.jwt.issuer,
        audience: this.jwt.audience,
        clockTolerance: this.jwt.clockSkew,
      });
      return accessClaimsOf(payload, this.clock.now() / 1000, this.jwt.clockSkew);
    } catch {
      // Expired, forged, wrong issuer or audience: for these endpoints simply not a token of ours.
      return null;
    }
  }
}
