import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { FastifyRequest } from 'fastify';
import { KeyObject } from 'node:crypto';
import { Strategy } from 'passport-jwt';
import { AppError, AppErrorCode } from '../../common/errors/app-error';
import { Clock, InjectClock } from '../../common/time/clock';
import { jwtConfig, JwtConfig } from '../../config/configuration';
import { InjectSessionStore, SessionStore } from '../../tokens/session.store';
import { SigningKeys } from '../../tokens/signing-keys';
import { AccessClaims, AuthenticatedUser } from '../../tokens/token.types';
import { User } from '../../users/user';
import { bearerToken, tokenScheme } from './bearer-token';
import { DpopService } from '../dpop/dpop.service';
import { AccessCheck, ProofMark } from '../../tokens/session';
import { accessClaimsOf } from './access-claims';
import { accessTokenKey } from './access-token-key';
import { VerifiedTokenCache } from './verified-token.cache';
import { CallerLookup, InjectCallerLookup } from '../../users/stores/caller-lookup';
import { notFound } from '../../users/users.service';
import {
  CALLER_ACCOUNT,
  READS_ACCOUNT,
  WithAccountRead,
} from '../decorators/caller-account.decorator';

/** `Authorization: DPoP …` (case-insensitive scheme), told apart without parsing the header. */
const DPOP_SCHEME = /^dpop /i;

type KeyCallback = (error: Error | null, key?: string | Buffer) => void;

/**
 * Verifies access tokens (RFC 8725, RFC 9068): cheap header and signature-shape checks first
 * (access-token-key.ts), then one signature check with a KeyObject of ours chosen by `kid`, the
 * claims (access-claims.ts), and one store round trip (session active and jti not revoked).
 * A token that passes is remembered (VerifiedTokenCache): JwtAuthGuard serves it again without
 * passport, but never without the store check (`authorize`).
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    keys: SigningKeys,
    @Inject(jwtConfig.KEY) private readonly jwt: JwtConfig,
    @InjectSessionStore() private readonly sessions: SessionStore,
    @InjectClock() private readonly clock: Clock,
    private readonly cache: VerifiedTokenCache,
    @InjectCallerLookup() private readonly callers: CallerLookup,
    private readonly dpop: DpopService,
  ) {
    super({
      jwtFromRequest: bearerToken,
      passReqToCallback: true,
      secretOrKeyProvider: (_request: unknown, rawToken: string, done: KeyCallback) => {
        const key = accessTokenKey(keys, jwt.algorithm, rawToken);
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

  /** A token passport-jwt has verified: its claims are checked, cached, then authorized. */
  async validate(
    request: FastifyRequest & WithAccountRead,
    payload: unknown,
  ): Promise<AuthenticatedUser> {
    const claims = accessClaimsOf(payload, this.clock.now() / 1000, this.jwt.clockSkew);
    const token = bearerToken(request);
    if (token) this.cache.set(token, claims);
    return this.authorize(claims, request);
  }

  /**
   * The caller of verified claims, if its session is live and the token not revoked: one store
   * round trip, on every request, cached token or not. A route that reads the caller's account
   * (`@WithCallerAccount()`) has it read with the check (CallerLookup: one command on a single
   * Redis); it reaches the handler only if the token is accepted.
   */
  async authorize(claims: AccessClaims, request: WithAccountRead): Promise<AuthenticatedUser> {
    const ref = { userId: claims.sub, sessionId: claims.sid };
    // DPoP first, and awaited only when the request is one: its proof's mark rides on the check.
    const proof =
      claims.cnf ||
      DPOP_SCHEME.test((request as unknown as FastifyRequest).headers.authorization ?? '')
        ? await this.proofOf(claims, request as unknown as FastifyRequest)
        : undefined;
    let state: AccessCheck;
    if (request[READS_ACCOUNT]) {
      // The account read rides on the check: one store command on a single Redis.
      const checked = await this.callers.checkWithAccount(ref, claims.jti, proof);
      state = checked.state;
      if (state === 'active') request[CALLER_ACCOUNT] = accountOrNotFound(checked.account);
    } else {
      state = await this.sessions.checkAccess(ref, claims.jti, proof);
    }
    if (state === 'proof-replayed') throw this.dpop.refusal('resource', 'proof replayed');
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

  /**
   * DPoP (RFC 9449 §7): a bound token (`cnf.jkt`) comes only as `Authorization: DPoP` with a
   * proof by its key for this request and this token (`ath`); an unbound one only as Bearer.
   * The proof's mark rides on the access check (one round trip). Undefined for a bearer token.
   */
  private async proofOf(
    claims: AccessClaims,
    request: FastifyRequest,
  ): Promise<ProofMark | undefined> {
    const scheme = tokenScheme(request);
    const bound = claims.cnf?.jkt;
    if (!bound) {
      if (scheme === 'dpop') throw this.dpopError('invalid_token', 'token is not DPoP-bound');
      return undefined;
    }
    if (scheme !== 'dpop') {
      throw this.dpopError('invalid_token', 'DPoP-bound token presented as a bearer token');
    }
    const proof = this.dpop.proofOf(request, 'resource');
    if (proof === null) throw this.dpop.refusal('resource', 'DPoP proof missing');
    const accessToken = bearerToken(request) ?? '';
    const verified = await this.dpop.verify(
      proof,
      { method: request.method, path: request.url, accessToken },
      'resource',
    );
    if (verified.jkt !== bound)
      throw this.dpop.refusal('resource', 'proof key is not the token key');
    return { id: verified.replayId, until: verified.replayUntil };
  }

  private dpopError(error: 'invalid_token', reason: string): AppError {
    return new AppError(AppErrorCode.InvalidToken, reason, {
      dpop: { error, algs: this.dpop.algorithms },
    });
  }
}

/** What the handler awaits for the caller's account: 404 when it is gone. */
function accountOrNotFound(account: User | null): Promise<User> {
  if (account) return Promise.resolve(account);
  const missing = Promise.reject(notFound());
  // Awaited by the handler; until then it must not count as an unhandled rejection.
  missing.catch(() => undefined);
  return missing;
}
