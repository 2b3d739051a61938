import { randomBytes } from 'node:crypto';
import { secretHash } from '../../common/crypto/ids';

/** How many recovery codes an enrolment (or a renewal) hands out. */
export const RECOVERY_CODE_COUNT = 10;

/** Crockford's base32 without I, L, O, U: nothing to confuse when typed from paper. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * Ten fresh recovery codes, `XXXX-XXXX-XXXX-XXXX` (16 symbols, 80 random bits each), and the hash
 * of each. Only hashes are stored: with 80 bits a plain SHA-256 is out of reach of guessing, so
 * checking one costs no argon2 run.
 */
export function newRecoveryCodes(): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = randomBytes(10);
    let bits = 0n;
    for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
    let symbols = '';
    for (let i = 0; i < 16; i++) symbols += ALPHABET[Number((bits >> BigInt(5 * i)) & 31n)];
    return symbols;
  });
  return {
    codes: codes.map((symbols) => symbols.replace(/(.{4})(?!$)/g, '$1-')),
    hashes: codes.map(hashOfSymbols),
  };
}

const hashOfSymbols = (symbols: string): string => secretHash(`recovery:${symbols}`);

/**
 * The hash of a typed recovery code, forgiving what people do when typing from paper: case,
 * spaces and dashes, and O/I/L for 0/1/1. Null when it cannot be one (so it is never looked up).
 */
export function recoveryCodeHash(typed: string): string | null {
  const symbols = typed
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  return /^[0-9A-HJKMNP-TV-Z]{16}$/.test(symbols) ? hashOfSymbols(symbols) : null;
}
