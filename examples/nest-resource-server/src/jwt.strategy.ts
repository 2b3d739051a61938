import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { passportJwtSecret } from 'jwks-rsa';
import type { Algorithm, Jwt, JwtPayload } from 'jsonwebtoken';
import { createPublicKey, KeyObject } from 'node:crypto';
import { ExtractJwt, Strategy, type SecretOrKeyProvider } from 'passport-jwt';
import { InjectConfig, ResourceServerConfig } from './config.js';

/** The caller, as the access token names it. */
export interface Caller {
  sub: string;
  scopes: string[];
  sessionId: string;
}

/** A token that verified but is not a Tessera access token; the guard logs the message. */
export class TokenRefused extends Error {}

/**
 * Accepts Tessera access tokens, verified with the public keys of Tessera's JWKS (fetched, cached
 * and re-fetched at most a few times a minute when a token names an unknown `kid`, as after a key
 * rotation). jsonwebtoken checks the signature, the algorithm against the allow-list (never the
 * one the token asks for), `iss`, `aud`, `exp` and `nbf`; `validate` then requires the RFC 9068
 * type `at+jwt`, so a refresh token, a WebSocket ticket or an ID token is refused.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(@InjectConfig() config: ResourceServerConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKeyProvider: asKeyObjects(
        passportJwtSecret({
          jwksUri: config.jwksUri,
          cache: true,
          rateLimit: true,
          jwksRequestsPerMinute: 10,
          // An unknown kid is refused with jwks-rsa's own reason, not "no key provided".
          handleSigningKeyError: (error, refuse) => refuse(error),
        }),
      ),
      algorithms: config.algorithms as Algorithm[],
      issuer: config.issuer,
      audience: config.audience,
      // complete: validate() receives the header too, for the `typ` check.
      jsonWebTokenOptions: { complete: true, clockTolerance: config.clockToleranceSeconds },
    });
  }

  validate(token: Jwt): Caller {
    if (token.header.typ !== 'at+jwt') {
      throw new TokenRefused(`jwt type invalid. expected: at+jwt, got: ${token.header.typ}`);
    }
    const claims = token.payload as JwtPayload & { scope?: unknown; sid?: unknown };
    // RFC 9449 §7.1: a DPoP-bound token (cnf.jkt) is no bearer token. This server takes bearer
    // tokens only, so it refuses them: a bound token copied from its client is worth nothing here.
    if (claims.cnf !== undefined) {
      throw new TokenRefused('jwt is DPoP-bound (cnf): not accepted as a bearer token');
    }
    if (typeof claims.sub !== 'string' || typeof claims.sid !== 'string') {
      throw new TokenRefused('jwt claims invalid: sub and sid are required');
    }
    const scope = typeof claims.scope === 'string' ? claims.scope : '';
    return { sub: claims.sub, scopes: scope.split(' ').filter(Boolean), sessionId: claims.sid };
  }
}

/**
 * jwks-rsa hands out PEM strings, and jsonwebtoken parses a string key again on every call (tens
 * of times slower than verifying with a KeyObject): parse each key once. The cache holds only the
 * few keys of Tessera's JWKS. passport-jwt's types say string | Buffer; it passes a KeyObject on.
 */
function asKeyObjects(provider: SecretOrKeyProvider): SecretOrKeyProvider {
  const parsed = new Map<string, KeyObject>();
  return (request, rawJwtToken, done) =>
    provider(request, rawJwtToken, (error, pem) => {
      if (error || typeof pem !== 'string') return done(error, pem);
      let key = parsed.get(pem);
      if (!key) parsed.set(pem, (key = createPublicKey(pem)));
      done(null, key as unknown as string);
    });
}
