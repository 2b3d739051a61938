import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { SigningKeys } from './signing-keys';

/**
 * Signs our JWS (access tokens, WebSocket tickets) with the active key, its `kid`, and the `typ`
 * that tells the kinds apart (RFC 8725 §3.11): the one place a token gets its header.
 */
@Injectable()
export class JwsSigner {
  constructor(
    private readonly keys: SigningKeys,
    private readonly jwtService: JwtService,
  ) {}

  sign(claims: object, typ: string): string {
    const key = this.keys.active;
    return this.jwtService.sign(claims, {
      privateKey: key.signingKey,
      algorithm: key.alg,
      header: { alg: key.alg, typ, kid: key.kid },
    });
  }
}
