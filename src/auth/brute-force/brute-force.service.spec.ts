import { AuditEventType } from '../../audit/audit-event';
import { AuditService } from '../../audit/audit.service';
import { AppError } from '../../common/errors/app-error';
import { ManualClock } from '../../common/time/manual-clock';
import { BruteForceService } from './brute-force.service';
import { DeviceTokens } from './device-token';
import { MemoryLoginAttemptStore } from './stores/memory-login-attempt.store';
import { MemorySessionStore } from '../../tokens/stores/memory-session.store';

const LIMITS = {
  loginMaxFailures: 3,
  loginLockSeconds: 60,
  loginIpMaxFailures: 100,
  maxSessionsPerUser: 50,
  refreshReuseGraceSeconds: 0,
  refreshGraceKey: null,
};
const USER = { id: '0190aaaa-0000-7000-8000-000000000001' };
const client = (ip: string) => ({ ip, userAgent: null });

describe('BruteForceService', () => {
  let clock: ManualClock;
  let store: MemoryLoginAttemptStore;
  let audit: { record: jest.Mock };
  let service: BruteForceService;
  let devices: DeviceTokens;
  let sessions: MemorySessionStore;

  beforeEach(() => {
    clock = new ManualClock();
    store = new MemoryLoginAttemptStore(clock);
    audit = { record: jest.fn() };
    sessions = new MemorySessionStore(clock);
    devices = new DeviceTokens(store, sessions, clock);
    service = new BruteForceService(LIMITS, store, devices, audit as unknown as AuditService);
  });

  async function fail(username: string, ip: string, device?: string) {
    await service.failed(await service.admit(username, client(ip), USER, device));
  }

  it('records ACCOUNT_LOCKED once, when the pair lock starts, without the username', async () => {
    for (let i = 0; i < LIMITS.loginMaxFailures; i++) await fail('Alice', '203.0.113.1');
    const locks = audit.record.mock.calls.map(([input]) => input);
    expect(locks).toEqual([
      {
        event: AuditEventType.AccountLocked,
        userId: USER.id,
        ip: '203.0.113.1',
        details: { lock: 'pair', seconds: 60 },
      },
    ]);
    await expect(service.admit('alice', client('203.0.113.1'), USER)).rejects.toThrow(AppError);
  });

  it('refuses with the seconds left on the lock, and admits again once it has passed', async () => {
    for (let i = 0; i < LIMITS.loginMaxFailures; i++) await fail('bob', '203.0.113.2');
    clock.advance(20_000);
    const refusal = await service.admit('bob', client('203.0.113.2'), USER).catch((e) => e);
    expect(refusal).toBeInstanceOf(AppError);
    expect((refusal as AppError).extra.retryAfterSeconds).toBe(40);
    clock.advance(40_000);
    await expect(service.admit('bob', client('203.0.113.2'), USER)).resolves.toBeDefined();
  });

  it('counts IPv6 clients of one /64 as one IP', async () => {
    for (let i = 0; i < LIMITS.loginMaxFailures; i++) await fail('carol', `2001:db8:1:2::${i + 1}`);
    await expect(service.admit('carol', client('2001:db8:1:2::ff'), USER)).rejects.toThrow(
      AppError,
    );
  });

  it('admits exactly the limit of concurrent attempts, before any password is checked', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () => service.admit('erin', client('203.0.113.9'), USER)),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(LIMITS.loginMaxFailures);
    const refusals = outcomes.filter((o) => o.status === 'rejected');
    expect(refusals.every((o) => o.reason instanceof AppError)).toBe(true);
  });

  it('counts the username and the email of one user on one budget', async () => {
    for (let i = 0; i < LIMITS.loginMaxFailures; i++) await fail('frank', '203.0.113.10');
    await expect(service.admit('frank@example.com', client('203.0.113.10'), USER)).rejects.toThrow(
      AppError,
    );
    // Unknown logins are counted by their own text: another spelling is another budget.
    for (let i = 0; i < LIMITS.loginMaxFailures; i++) {
      await service.failed(await service.admit('ghost', client('203.0.113.11'), null));
    }
    await expect(service.admit('ghost2', client('203.0.113.11'), null)).resolves.toBeDefined();
  });

  it('takes a successful attempt back from the per-IP counter, so real logins never lock it', async () => {
    const tight = new BruteForceService(
      { ...LIMITS, loginIpMaxFailures: 2 },
      store,
      devices,
      audit as unknown as AuditService,
    );
    for (let i = 0; i < 5; i++) {
      await tight.succeeded(await tight.admit(`user${i}`, client('203.0.113.12'), { id: `u${i}` }));
    }
    await expect(tight.admit('other', client('203.0.113.12'), null)).resolves.toBeDefined();
    expect(audit.record).not.toHaveBeenCalled();
  });

  async function aDevice(): Promise<string> {
    const device = await devices.issue(USER.id, await sessions.generation(USER.id));
    if (!device) throw new Error('no device cookie issued');
    return device;
  }

  /** Wrong guesses from one IP, each with the next cookie, until the first 429. */
  async function guessesUntilLocked(cookies: string[]): Promise<number> {
    for (let n = 0; n < 200; n++) {
      const attempt = await service
        .admit('dave', client('203.0.113.50'), USER, cookies[n % cookies.length])
        .catch(() => null);
      if (!attempt) return n;
      await service.failed(attempt);
    }
    return Infinity;
  }

  it('audits a locked device by its own lock kind', async () => {
    const device = await aDevice();
    for (let i = 0; i < LIMITS.loginMaxFailures; i++) await fail('dave', `203.0.113.${i}`, device);
    expect(audit.record.mock.calls.map(([input]) => input.details.lock)).toEqual(['device']);
  });

  it('counts the failures of all of a user’s devices on one budget', async () => {
    const cookies = await Promise.all(Array.from({ length: 10 }, () => aDevice()));
    // Each device alone would allow 3; all ten together allow 2 × 3, then the client is an
    // untrusted one again and its (username, IP) pair allows 3 more.
    expect(await guessesUntilLocked(cookies)).toBe(2 * 3 + 3);
  });

  it('no longer trusts device cookies from before the sessions were ended', async () => {
    const cookie = await aDevice();
    await sessions.revokeAllForUser(USER.id);
    expect(await guessesUntilLocked([cookie])).toBe(LIMITS.loginMaxFailures);
  });
});
