import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { Clock, InjectClock } from '../../common/time/clock';
import { jwtConfig, JwtConfig } from '../../config/configuration';
import { SigningKeys } from '../../tokens/signing-keys';
import { parseCompactJws } from '../../tokens/token-header';
import { AccessClaims } from '../../tokens/token.types';

interface Entry {
  claims: AccessClaims;
  /** The key that verified it: when that key is retired, the entry is worthless. */
  kid: string;
}

/**
 * Access tokens already verified (signature, header rules, claims), by their exact string — the
 * way Envoy's jwt_authn and API gateways cache them: a token seen before costs no signature check
 * and no parsing. Bounded (TOKEN_CACHE_SIZE, least recently used out first).
 *
 * Safe because the key is the whole token, byte for byte: any change to header, payload or
 * signature is another string, verified from scratch. An entry is used only before the token's
 * `exp` (on the app's Clock) and only while the key that verified it is still one of ours. The
 * cache decides nothing about revocation: the session and jti check still runs on every request.
 */
@Injectable()
export class VerifiedTokenCache {
  private readonly entries: LRUCache<string, Entry> | null;

  constructor(
    @Inject(jwtConfig.KEY) jwt: JwtConfig,
    private readonly keys: SigningKeys,
    @InjectClock() private readonly clock: Clock,
  ) {
    this.entries = jwt.tokenCacheSize > 0 ? new LRUCache({ max: jwt.tokenCacheSize }) : null;
  }

  /** The claims of a token verified earlier, while it is still unexpired and its key ours. */
  get(token: string): AccessClaims | undefined {
    const entry = this.entries?.get(token);
    if (!entry) return undefined;
    if (entry.claims.exp * 1000 <= this.clock.now() || !this.keys.verificationKey(entry.kid)) {
      this.entries?.delete(token);
      return undefined;
    }
    return entry.claims;
  }

  /** Remembers a token that has just passed full verification. */
  set(token: string, claims: AccessClaims): void {
    if (!this.entries) return;
    const kid = parseCompactJws(token)?.header.kid;
    if (typeof kid === 'string') this.entries.set(token, { claims, kid });
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }
}
