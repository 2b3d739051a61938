import { randomToken, uuidv7 } from './ids';

describe('random ids', () => {
  it('never hands out the same bytes twice, across many refills of the pool', () => {
    // 4 KiB a refill: 2 000 tokens of 32 bytes and 2 000 UUIDs span ~24 refills.
    const tokens = Array.from({ length: 2000 }, () => randomToken());
    const ids = Array.from({ length: 2000 }, () => uuidv7(0));
    expect(new Set(tokens).size).toBe(tokens.length);
    expect(new Set(ids).size).toBe(ids.length);
    // No token shares a 16-byte half with another (a pool slice served twice would).
    const halves = tokens.flatMap((t) => {
      const bytes = Buffer.from(t, 'base64url');
      return [bytes.subarray(0, 16).toString('hex'), bytes.subarray(16).toString('hex')];
    });
    expect(new Set(halves).size).toBe(halves.length);
  });

  it('gives tokens of the requested entropy, url-safe', () => {
    for (const n of [1, 16, 32, 100, 256]) {
      const token = randomToken(n);
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(Buffer.from(token, 'base64url')).toHaveLength(n);
    }
    expect(() => randomToken(0)).toThrow(RangeError);
    expect(() => randomToken(257)).toThrow(RangeError);
  });

  it('looks random: each bit of a token is set about half the time', () => {
    const ones = new Array<number>(256).fill(0);
    const samples = 4000;
    for (let i = 0; i < samples; i++) {
      const bytes = Buffer.from(randomToken(32), 'base64url');
      for (let bit = 0; bit < 256; bit++) ones[bit] += (bytes[bit >> 3] >> (bit & 7)) & 1;
    }
    // Binomial(4000, 1/2): a standard deviation of ~32; zeroed or repeated bytes would be far off.
    for (const count of ones) expect(Math.abs(count - samples / 2)).toBeLessThan(200);
  });

  it('makes UUIDv7s: the time first, version 7, the RFC 9562 variant', () => {
    const now = Date.UTC(2026, 10, 30, 12, 0, 0, 5);
    const id = uuidv7(now);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(now);
    expect(uuidv7(now + 1) > id).toBe(true);
  });
});
