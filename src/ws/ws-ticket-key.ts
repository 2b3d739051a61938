import { KeyObject } from 'node:crypto';
import { JwtAlgorithm } from '../config/env.validation';
import { isEcdsaAlgorithm, isValidJoseEcdsaSignature } from '../tokens/ecdsa-signature';
import { SigningKeys } from '../tokens/signing-keys';
import { parseCompactJws, typIs } from '../tokens/token-header';

/** The only header parameters we put on a ticket; anything else is not one of ours. */
const ALLOWED_HEADER = new Set(['alg', 'typ', 'kid']);

/**
 * The RFC 8725 header checks of a ticket, before any signature work (the same rules as for access
 * tokens, with the ticket `typ`): the configured algorithm only, explicit typing, no parameter
 * that could bring or point to a key, a `kid` of ours, a well-formed ECDSA signature. Returns the
 * verification key from our own key set, or null.
 */
export function ticketKey(
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
