import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { Clock, InjectClock } from '../../common/time/clock';
import { jwtConfig, JwtConfig } from '../../config/configuration';
import { SigningKeys } from '../../tokens/signing-keys';
import { parseCompactJws } from '../../tokens/token-header';
import { AccessClaims } from '../../tokens/token.types';

interface Entry {
  /** The whole token: a lookup hits only on an exact match. */
  token: string;
  claims: AccessClaims;
  /** The key that verified it: when that key is retired, the entry is worthless. */
  kid: string;
}

/**
 * 43 base64url characters: 258 bits of the signature (all of an HS256 one), so two distinct
 * tokens of ours share a tail only by chance of 2^-258; one an attacker makes up merely misses.
 */
const TAIL_LENGTH = 43;

const tailOf = (token: string): string =>
  token.length > TAIL_LENGTH ? token.slice(-TAIL_LENGTH) : token;

/**
 * Access tokens already verified (signature, header rules, claims), by their exact string — the
 * way Envoy's jwt_authn and API gateways cache them: a token seen before costs no signature check
 * and no parsing. Bounded (TOKEN_CACHE_SIZE, least recently used out first).
 *
 * Safe because an entry is used only for the whole token, byte for byte: any change to header,
 * payload or signature is another string, verified from scratch. The LRU is keyed by the token's
 * last TAIL_LENGTH characters (its signature's end) and the entry compared with the whole token:
 * hashing the whole ~800-character string for the lookup cost more than 1 µs a request, the
 * comparison ~0.05 µs. Two tokens with the same tail simply miss (the later one is verified).
 * An entry is used only before the token's `exp` (on the app's Clock) and only while the key
 * that verified it is still one of ours. The cache decides nothing about revocation: the session
 * and jti check still runs on every request.
 */
@Injectable()
export class VerifiedTokenCache {
  /** By the token's tail (tailOf); each entry holds the whole token. */
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
    const tail = tailOf(token);
    const entry = this.entries?.get(tail);
    if (entry?.token !== token) return undefined;
    if (entry.claims.exp * 1000 <= this.clock.now() || !this.keys.verificationKey(entry.kid)) {
      this.entries?.delete(tail);
      return undefined;
    }
    return entry.claims;
  }

  /** Remembers a token that has just passed full verification. */
  set(token: string, claims: AccessClaims): void {
    if (!this.entries) return;
    const kid = parseCompactJws(token)?.header.kid;
    if (typeof kid === 'string') this.entries.set(tailOf(token), { token, claims, kid });
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }
}
