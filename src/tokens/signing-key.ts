import { KeyObject } from 'node:crypto';
import { JwtAlgorithm } from '../config/env.validation';

/**
 * A key in memory. Keys are KeyObjects, built once: jsonwebtoken given a PEM string or a string
 * secret re-parses it on every call, which measured ~50x slower here (shared/TOOLCHAIN.md).
 */
export interface SigningKey {
  kid: string;
  alg: JwtAlgorithm;
  /** Signs; for HS256 the secret itself. */
  signingKey: KeyObject;
  /** Verifies; for HS256 the same secret, never published. */
  verificationKey: KeyObject;
  /** ISO 8601: when the key was generated. */
  createdAt: string;
  /** ISO 8601: from when it signs (see KeyRecord.activatesAt). */
  activatesAt: string;
}
