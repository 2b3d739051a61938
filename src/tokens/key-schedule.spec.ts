import { KeyRecord } from './key-files';
import { activeKey, expiresAt, keyState, retentionMs, schedule } from './key-schedule';

const T0 = Date.UTC(2026, 0, 1);
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const record = (kid: string, activatesIn: number, createdIn = 0): KeyRecord => ({
  kid,
  alg: 'ES256',
  createdAt: at(createdIn),
  activatesAt: at(activatesIn),
});

describe('the key schedule', () => {
  const retention = retentionMs({ accessTtl: 900, clockSkew: 30 });
  const keys = schedule([record('new', 100, 95), record('old', 0)]);
  const [old, next] = keys;
  const state = (seconds: number) => keys.map((k) => keyState(k, T0 + seconds * 1000, retention));

  it('orders keys by activation and retires each one when the next activates', () => {
    expect(keys.map((k) => [k.kid, k.retiresAt])).toEqual([
      ['old', T0 + 100_000],
      ['new', null],
    ]);
  });

  it('publishes the new key as next until its activation, while the old one still signs', () => {
    expect(state(96)).toEqual(['active', 'next']);
    expect(activeKey(keys, T0 + 99_999)?.kid).toBe('old');
  });

  it('switches signing to the new key at its activation, keeping the old one to verify', () => {
    expect(state(100)).toEqual(['retired', 'active']);
    expect(activeKey(keys, T0 + 100_000)?.kid).toBe('new');
  });

  it('expires the old key once access TTL plus clock skew have passed since it retired', () => {
    expect(state(100 + 930 - 0.001)).toEqual(['retired', 'active']);
    expect(state(100 + 930)).toEqual(['expired', 'active']);
    expect(expiresAt(old, retention)).toBe(T0 + 1_030_000);
    expect(expiresAt(next, retention)).toBeNull();
  });

  it('keeps keys for the 60 s WebSocket tickets when the access TTL is shorter', () => {
    expect(retentionMs({ accessTtl: 30, clockSkew: 0 })).toBe(60_000);
    expect(retentionMs({ accessTtl: 120, clockSkew: 5 })).toBe(125_000);
  });

  it('lets the oldest key sign when no key has activated yet (a clock slightly behind)', () => {
    expect(activeKey(keys, T0 - 5000)?.kid).toBe('old');
  });

  it('orders keys activating together the same way on every instance', () => {
    const a = schedule([record('b', 10), record('a', 10)]);
    const b = schedule([record('a', 10), record('b', 10)]);
    expect(a).toEqual(b);
    expect(activeKey(a, T0 + 10_000)?.kid).toBe('b');
  });
});
