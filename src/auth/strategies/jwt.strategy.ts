import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { KeyObject } from 'node:crypto';
import { Strategy } from 'passport-jwt';
import { AppError, AppErrorCode } from '../../common/errors/app-error';
import { Clock, InjectClock } from '../../common/time/clock';
import { jwtConfig, JwtConfig } from '../../config/configuration';
import { InjectSessionStore, SessionStore } from '../../tokens/session.store';
import { SigningKeys } from '../../tokens/signing-keys';
import { ACCESS_TOKEN_TYP } from '../../tokens/token.service';
import { decodeHeader, typIs } from '../../tokens/token-header';
import { AuthenticatedUser } from '../../tokens/token.types';
import { bearerToken } from './bearer-token';
import { accessClaimsOf } from './access-claims';

type KeyCallback = (error: Error | null, key?: string | Buffer) => void;

/**
 * Verifies access tokens: one signature check with a KeyObject chosen by `kid`, then one store
 * round trip (session active and jti not revoked).
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    keys: SigningKeys,
    @Inject(jwtConfig.KEY) private readonly jwt: JwtConfig,
    @InjectSessionStore() private readonly sessions: SessionStore,
    @InjectClock() private readonly clock: Clock,
  ) {
    super({
      jwtFromRequest: bearerToken,
      secretOrKeyProvider: (_request: unknown, rawToken: string, done: KeyCallback) => {
        const key = keyFor(keys, jwt, rawToken);
        // passport-jwt's types say string | Buffer; it hands a KeyObject straight to jsonwebtoken,
        // which is ~50x faster than re-parsing a PEM or string secret on every request.
        if (key instanceof KeyObject) done(null, key as unknown as Buffer);
        else done(key);
      },
      algorithms: [jwt.algorithm],
      issuer: jwt.issuer,
      audience: jwt.audience,
      jsonWebTokenOptions: { clockTolerance: jwt.clockSkew },
    });
  }

  async validate(payload: unknown): Promise<AuthenticatedUser> {
    const claims = accessClaimsOf(payload, this.clock.now() / 1000, this.jwt.clockSkew);
    const state = await this.sessions.checkAccess(claims.sid, claims.jti);
    if (state !== 'active') {
      throw new AppError(
        AppErrorCode.InvalidToken,
        state === 'session-ended' ? 'session ended' : 'token revoked',
      );
    }
    return {
      userId: claims.sub,
      sessionId: claims.sid,
      jti: claims.jti,
      roles: claims.roles,
      scopes: claims.scope.split(' ').filter(Boolean),
      exp: claims.exp,
    };
  }
}

/**
 * RFC 8725 checks on the header before the signature: the configured algorithm only (so never
 * `none`, never HS256 with a public key), the access-token `typ`, and a `kid` of ours. The key
 * always comes from our key set, never from `jwk`/`jku`/`x5u`/`x5c` in the token.
 */
function keyFor(keys: SigningKeys, jwt: JwtConfig, rawToken: string): KeyObject | AppError {
  const header = decodeHeader(rawToken);
  const invalid = (reason: string) => new AppError(AppErrorCode.InvalidToken, reason);
  if (!header) return invalid('malformed token');
  if (header.alg !== jwt.algorithm) return invalid('algorithm not allowed');
  if (!typIs(header, ACCESS_TOKEN_TYP)) return invalid('wrong token type');
  if (header.crit !== undefined) return invalid('unsupported critical header');
  if (typeof header.kid !== 'string') return invalid('missing kid');
  const key = keys.verificationKey(header.kid);
  return key ? key.verificationKey : invalid('unknown kid');
}
