import { bool, EnvError, EnvErrorCollector, int, list, RawEnv } from './env.parsers';

/** Proof algorithms Tessera can verify: asymmetric only (RFC 9449 §4.2), never `none` or HMAC. */
export const DPOP_ALGORITHMS = ['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'] as const;
export type DpopAlgorithm = (typeof DPOP_ALGORITHMS)[number];

/** Proof-of-possession tokens (RFC 9449, docs/dpop.md). */
export interface DpopEnv {
  /** The `alg` values accepted on DPoP proofs (advertised in the RFC 8414 metadata). */
  algorithms: DpopAlgorithm[];
  /** Every proof must carry a fresh server nonce (`DPoP-Nonce`, `use_dpop_nonce`). */
  nonceRequired: boolean;
  /** How old (by its `iat`) a proof may be, beyond the clock skew allowed. */
  proofMaxAgeSeconds: number;
}

function algorithms(env: RawEnv): DpopAlgorithm[] {
  const names = list(env, 'DPOP_ALGORITHMS');
  if (names.length === 0) return ['ES256', 'EdDSA', 'RS256', 'PS256'];
  const unknown = names.filter((n) => !(DPOP_ALGORITHMS as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw new EnvError('DPOP_ALGORITHMS', `must list algorithms of ${DPOP_ALGORITHMS.join(', ')}`);
  }
  return [...new Set(names)] as DpopAlgorithm[];
}

/** The DPoP settings, each bad variable reported through `ok` (one line each). */
export function dpopEnv(env: RawEnv, ok: EnvErrorCollector['check']): DpopEnv {
  return {
    algorithms: ok(() => algorithms(env)),
    nonceRequired: ok(() => bool(env, 'DPOP_NONCE_REQUIRED', false)),
    proofMaxAgeSeconds: ok(() => int(env, 'DPOP_PROOF_MAX_AGE_SECONDS', 60, 5, 300)),
  };
}
