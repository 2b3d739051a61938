import { recoveryCodeHash, newRecoveryCodes } from './recovery-codes';
import { newTotpSecret, totpCode, totpStep, TOTP_STEP_MS } from './totp';

describe('TOTP (RFC 6238)', () => {
  // RFC 6238 Appendix B's SHA-1 key, "12345678901234567890", in base32.
  const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

  it('computes the RFC 6238 test vectors (SHA-1, last 6 digits)', () => {
    expect(totpCode(RFC_SECRET, 59_000)).toBe('287082');
    expect(totpCode(RFC_SECRET, 1_111_111_109_000)).toBe('081804');
    expect(totpCode(RFC_SECRET, 1_234_567_890_000)).toBe('005924');
  });

  it('gives the step of a code within one step of now, and null beyond', () => {
    const now = 1_700_000_010_000;
    const step = Math.floor(now / TOTP_STEP_MS);
    expect(totpStep(RFC_SECRET, totpCode(RFC_SECRET, now), now)).toBe(step);
    expect(totpStep(RFC_SECRET, totpCode(RFC_SECRET, now - TOTP_STEP_MS), now)).toBe(step - 1);
    expect(totpStep(RFC_SECRET, totpCode(RFC_SECRET, now + TOTP_STEP_MS), now)).toBe(step + 1);
    expect(totpStep(RFC_SECRET, totpCode(RFC_SECRET, now - 2 * TOTP_STEP_MS), now)).toBeNull();
    expect(totpStep(RFC_SECRET, totpCode(RFC_SECRET, now + 2 * TOTP_STEP_MS), now)).toBeNull();
  });

  it('takes nothing but six digits for a code', () => {
    const now = 1_700_000_010_000;
    const code = totpCode(RFC_SECRET, now);
    for (const junk of ['', `${code}0`, ` ${code}`, code.slice(1), '12345a', '１２３４５６']) {
      expect(totpStep(RFC_SECRET, junk, now)).toBeNull();
    }
  });

  it('makes 160-bit base32 secrets, all different', () => {
    const secrets = new Set(Array.from({ length: 50 }, newTotpSecret));
    expect(secrets.size).toBe(50);
    for (const s of secrets) expect(s).toMatch(/^[A-Z2-7]{32}$/);
  });
});

describe('recovery codes', () => {
  it('makes ten distinct 80-bit codes and the hash of each', () => {
    const { codes, hashes } = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes)
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    expect(hashes).toEqual(codes.map(recoveryCodeHash));
    for (const code of codes) expect(hashes.join()).not.toContain(code.replace(/-/g, ''));
  });

  it('forgives case, spaces, dashes and O/I/L typed for 0/1/1', () => {
    const hash = recoveryCodeHash('0K1Q-M9XD-2HWP-R4TB');
    expect(recoveryCodeHash('ok1q m9xd 2hwp r4tb')).toBe(hash);
    expect(recoveryCodeHash('0KIQM9XD2HWPR4TB')).toBe(hash);
    expect(recoveryCodeHash('0KLQ-M9XD-2HWP-R4TB')).toBe(hash);
  });

  it('hashes nothing that cannot be a code', () => {
    for (const junk of [
      '',
      '123456',
      '0K1Q-M9XD-2HWP-R4T',
      '0K1Q-M9XD-2HWP-R4TBX',
      'UUUU-UUUU-UUUU-UUUU',
    ]) {
      expect(recoveryCodeHash(junk)).toBeNull();
    }
  });
});
