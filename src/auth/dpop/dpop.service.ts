import { Inject, Injectable } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { calculateJwkThumbprint, EmbeddedJWK, JWK, jwtVerify } from 'jose';
import { createHash, createHmac, hkdfSync, KeyObject, timingSafeEqual } from 'node:crypto';
import { AppError, AppErrorCode } from '../../common/errors/app-error';
import { Clock, InjectClock } from '../../common/time/clock';
import { dpopConfig, DpopConfig, jwtConfig, JwtConfig } from '../../config/configuration';
import { InjectSessionStore, SessionStore } from '../../tokens/session.store';
import { SigningKeys } from '../../tokens/signing-keys';

/** The `typ` of a DPoP proof (RFC 9449 §4.2). */
const DPOP_TYP = 'dpop+jwt';
/** How long a server nonce stays good. */
const NONCE_TTL_SECONDS = 300;
/** A proof is a small JWS; anything longer is not one we would verify. */
const MAX_PROOF_LENGTH = 4096;
const MAX_JTI_LENGTH = 256;
/** An authority with a userinfo part: `scheme://…@`, before any path, query or fragment. */
const USERINFO = /^[^:/?#]+:[/\\]*[^/\\?#]*@/;
/** RFC 3986 §2.3 unreserved characters: the same whether percent-encoded or not. */
const UNRESERVED = /[A-Za-z0-9._~-]/;

/** A verified proof: the key's thumbprint, and what marks it used (the replay check). */
export interface DpopProof {
  /** RFC 7638 SHA-256 thumbprint of the proof's public key: the `cnf.jkt` it binds to. */
  jkt: string;
  /** A digest of (key, jti): a second proof with both is a replay. */
  replayId: string;
  /** Epoch ms until which the proof could still be accepted: keep its mark that long. */
  replayUntil: number;
}

/** Where a proof is checked: a token request (login, refresh) or a protected resource. */
export type DpopSite = 'token-request' | 'resource';

/**
 * DPoP (RFC 9449): verifies proofs of possession and makes server nonces. A proof is a JWS the
 * client signs with its own key, carried in the `jwk` header; it names the request (`htm`,
 * `htu`), is fresh (`iat`, `jti`) and, at a resource, names the access token (`ath`). `htu` is
 * compared with the public URL of the service (JWT_ISSUER) plus the request's path: the URL the
 * client used, never a Host header.
 *
 * Nonces are stateless, so every instance accepts every instance's: `<kid>.<issued>.<mac>`, an
 * HMAC under a key derived from a signing key's private half, valid NONCE_TTL_SECONDS.
 */
@Injectable()
export class DpopService {
  private readonly nonceKeys = new Map<string, Buffer>();

  constructor(
    @Inject(dpopConfig.KEY) private readonly config: DpopConfig,
    @Inject(jwtConfig.KEY) private readonly jwt: JwtConfig,
    private readonly keys: SigningKeys,
    @InjectClock() private readonly clock: Clock,
    @InjectSessionStore() private readonly sessions: SessionStore,
  ) {}

  get algorithms(): string[] {
    return this.config.algorithms;
  }

  /** The one `DPoP` header of the request, null when none; 400/401 for two or more. */
  proofOf(request: FastifyRequest, site: DpopSite): string | null {
    const header = request.headers.dpop;
    if (header === undefined) return null;
    if (typeof header !== 'string') throw this.refusal(site, 'more than one DPoP header');
    return header;
  }

  /**
   * The DPoP key a token request (login, refresh) proves, its proof verified and used up; null
   * without a `DPoP` header. 400 invalid-dpop-proof for a bad or replayed proof.
   */
  async forTokenRequest(request: FastifyRequest): Promise<string | null> {
    const proof = this.proofOf(request, 'token-request');
    if (proof === null) return null;
    const path = request.url;
    const verified = await this.verify(proof, { method: request.method, path }, 'token-request');
    if (!(await this.sessions.consumeOnce(`dpop:${verified.replayId}`, verified.replayUntil))) {
      throw this.refusal('token-request', 'proof replayed');
    }
    return verified.jkt;
  }

  /**
   * Verifies a proof for `method` and `path` (and `accessToken`, at a resource), or throws: at a
   * token request 400 invalid-dpop-proof / use-dpop-nonce, at a resource 401 invalid-token with
   * the RFC's `WWW-Authenticate: DPoP` challenge. Does not mark it used: the caller does, in the
   * store, atomically with its other check.
   */
  async verify(
    proof: string,
    request: { method: string; path: string; accessToken?: string },
    site: DpopSite,
  ): Promise<DpopProof> {
    if (proof.length > MAX_PROOF_LENGTH) throw this.refusal(site, 'proof too large');
    let payload: Record<string, unknown>;
    let jwk: JWK;
    try {
      const verified = await jwtVerify(proof, EmbeddedJWK, {
        typ: DPOP_TYP,
        algorithms: this.config.algorithms,
      });
      payload = verified.payload;
      jwk = verified.protectedHeader.jwk as JWK;
    } catch {
      throw this.refusal(site, 'proof signature, typ, alg or jwk not acceptable');
    }
    // A private key in the header would be the client's secret on the wire: never ours to take.
    if (['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'].some((member) => member in jwk)) {
      throw this.refusal(site, 'proof jwk is not a public key');
    }
    // An RSA key with a huge exponent or modulus costs ~100× the verification time: only the
    // usual public exponent 65537 and moduli up to 4096 bits.
    if (jwk.kty === 'RSA' && (jwk.e !== 'AQAB' || (jwk.n?.length ?? 0) > 683)) {
      throw this.refusal(site, 'proof jwk is not an acceptable RSA key');
    }
    const { jti, htm, htu, iat, ath, nonce } = payload;
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) {
      throw this.refusal(site, 'proof jti missing or malformed');
    }
    if (htm !== request.method) throw this.refusal(site, 'proof htm does not match the method');
    if (typeof htu !== 'string' || !this.sameUrl(htu, request.path)) {
      throw this.refusal(site, 'proof htu does not match the URL');
    }
    const now = this.clock.now() / 1000;
    const skew = this.jwt.clockSkew;
    if (
      typeof iat !== 'number' ||
      iat > now + skew ||
      iat < now - skew - this.config.proofMaxAgeSeconds
    ) {
      throw this.refusal(site, 'proof iat is stale or in the future');
    }
    if (request.accessToken !== undefined && ath !== accessTokenHash(request.accessToken)) {
      throw this.refusal(site, 'proof ath does not match the access token');
    }
    if (this.config.nonceRequired && !(typeof nonce === 'string' && this.nonceIsFresh(nonce))) {
      throw this.nonceNeeded(site);
    }
    const jkt = await calculateJwkThumbprint(jwk, 'sha256');
    return {
      jkt,
      replayId: createHash('sha256').update(`${jkt}\n${jti}`).digest('base64url'),
      // Whole milliseconds: NumericDate may be fractional (RFC 7519), PXAT may not.
      replayUntil: Math.ceil((iat + skew + this.config.proofMaxAgeSeconds) * 1000) + 1000,
    };
  }

  /** A fresh server nonce (sent as `DPoP-Nonce`). */
  nonce(): string {
    const { kid, signingKey } = this.keys.active;
    const issued = Math.floor(this.clock.now() / 1000).toString(36);
    return `${kid}.${issued}.${this.mac(kid, signingKey, issued)}`;
  }

  /** Whether nonces are required: then every token answer carries a new one. */
  get noncesRequired(): boolean {
    return this.config.nonceRequired;
  }

  /** The refusal of a proof, as the site answers it (see verify). */
  refusal(site: DpopSite, reason: string): AppError {
    if (site === 'token-request') {
      return new AppError(AppErrorCode.InvalidDpopProof, `DPoP proof refused: ${reason}.`);
    }
    return new AppError(AppErrorCode.InvalidToken, reason, {
      dpop: { error: 'invalid_dpop_proof', algs: this.config.algorithms },
    });
  }

  /** The answer asking the client to retry with the nonce it carries (RFC 9449 §8, §9). */
  nonceNeeded(site: DpopSite): AppError {
    const nonce = this.nonce();
    if (site === 'token-request') {
      return new AppError(
        AppErrorCode.UseDpopNonce,
        'Sign the DPoP proof again with the nonce of the DPoP-Nonce header.',
        { dpop: { error: 'use_dpop_nonce', algs: this.config.algorithms, nonce } },
      );
    }
    return new AppError(AppErrorCode.InvalidToken, 'proof needs the server nonce', {
      dpop: { error: 'use_dpop_nonce', algs: this.config.algorithms, nonce },
    });
  }

  /**
   * RFC 9449 §4.3: `htu` names the request's URL, without query and fragment, compared after
   * RFC 3986 §6.2.2/§6.2.3 normalisation: scheme and host in any case, the default port written
   * or not, dot segments removed, percent-encoding in either hex case and of unreserved
   * characters or not. Refused outright: userinfo (`user:pass@host`), which names no part of an
   * HTTP URL (RFC 9110 §4.2.4) and could make a URL read as another host's.
   */
  private sameUrl(htu: string, path: string): boolean {
    if (USERINFO.test(htu)) return false;
    try {
      const presented = new URL(htu);
      const expected = new URL(`${this.jwt.issuer.replace(/\/+$/, '')}${path.split('?')[0]}`);
      // URL() lowercases scheme and host, drops a default port, removes dot segments; the
      // query and fragment are not compared.
      return (
        presented.username === '' &&
        presented.password === '' &&
        presented.origin === expected.origin &&
        normalisedPath(presented.pathname) === normalisedPath(expected.pathname)
      );
    } catch {
      return false;
    }
  }

  private nonceIsFresh(nonce: string): boolean {
    const [kid, issued, mac, ...rest] = nonce.split('.');
    if (rest.length > 0 || !kid || !issued || !mac || !/^[0-9a-z]{1,10}$/.test(issued)) {
      return false;
    }
    const active = this.keys.active;
    // A nonce of a retired key still counts while that key can verify tokens (a rotation).
    const key = kid === active.kid ? active : this.keys.verificationKey(kid);
    if (!key) return false;
    const expected = Buffer.from(this.mac(key.kid, key.signingKey, issued));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return false;
    const age = this.clock.now() / 1000 - parseInt(issued, 36);
    return age >= -this.jwt.clockSkew && age <= NONCE_TTL_SECONDS;
  }

  private mac(kid: string, signingKey: KeyObject, issued: string): string {
    let key = this.nonceKeys.get(kid);
    if (!key) {
      const material =
        signingKey.type === 'secret'
          ? signingKey.export()
          : signingKey.export({ format: 'der', type: 'pkcs8' });
      key = Buffer.from(hkdfSync('sha256', material, 'tessera', 'dpop-nonce', 32));
      this.nonceKeys.set(kid, key);
    }
    return createHmac('sha256', key).update(issued).digest('base64url').slice(0, 22);
  }
}

/** The `ath` of a proof at a resource: base64url(SHA-256(access token)) (RFC 9449 §4.2). */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken).digest('base64url');
}

/** A path with percent-encoding normalised (RFC 3986 §6.2.2.1, §6.2.2.2). */
function normalisedPath(path: string): string {
  return path.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`;
  });
}
