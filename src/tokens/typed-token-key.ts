import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { KeyObject } from 'node:crypto';
import { Clock, InjectClock } from '../common/time/clock';
import { jwtConfig, JwtConfig } from '../config/configuration';
import { JwtAlgorithm } from '../config/env.validation';
import { isEcdsaAlgorithm, isValidJoseEcdsaSignature } from './ecdsa-signature';
import { SigningKeys } from './signing-keys';
import { parseCompactJws, typIs } from './token-header';

/** The only header parameters we put on a ticket; anything else is not one of ours. */
const ALLOWED_HEADER = new Set(['alg', 'typ', 'kid']);

/**
 * The RFC 8725 header checks of a ticket, before any signature work (the same rules as for access
 * tokens, with the ticket `typ`): the configured algorithm only, explicit typing, no parameter
 * that could bring or point to a key, a `kid` of ours, a well-formed ECDSA signature. Returns the
 * verification key from our own key set, or null.
 */
export function typedTokenKey(
  keys: SigningKeys,
  algorithm: JwtAlgorithm,
  token: string,
  typ: string,
): KeyObject | null {
  const jws = parseCompactJws(token);
  if (!jws) return null;
  const { header } = jws;
  if (header.alg !== algorithm || !typIs(header, typ)) return null;
  if (Object.keys(header).some((name) => !ALLOWED_HEADER.has(name))) return null;
  if (typeof header.kid !== 'string') return null;
  if (isEcdsaAlgorithm(algorithm) && !isValidJoseEcdsaSignature(algorithm, jws.signature)) {
    return null;
  }
  return keys.verificationKey(header.kid)?.verificationKey ?? null;
}

/**
 * Our own short-lived JWS other than access tokens (WebSocket tickets, mfa_tokens), each with its
 * `typ` and audience: the header checks above, then the signature, `iss`, `aud` and the time
 * claims on our clock. The verified payload, or null; the caller checks its claims' shapes.
 */
@Injectable()
export class TypedTokens {
  constructor(
    private readonly keys: SigningKeys,
    private readonly jwtService: JwtService,
    @Inject(jwtConfig.KEY) private readonly jwt: JwtConfig,
    @InjectClock() private readonly clock: Clock,
  ) {}

  /** `<issuer>/<suffix>`: the audience of one kind of token, never the API's. */
  audience(suffix: string): string {
    return `${this.jwt.issuer.replace(/\/+$/, '')}/${suffix}`;
  }

  verify(token: string, typ: string, audience: string): unknown {
    const key = typedTokenKey(this.keys, this.jwt.algorithm, token, typ);
    if (!key) return null;
    try {
      return this.jwtService.verify(token, {
        publicKey: key as unknown as Buffer, // a KeyObject; see shared/TOOLCHAIN.md
        algorithms: [this.jwt.algorithm],
        issuer: this.jwt.issuer,
        audience,
        clockTolerance: this.jwt.clockSkew,
        clockTimestamp: Math.floor(this.clock.now() / 1000),
      });
    } catch {
      return null;
    }
  }
}
