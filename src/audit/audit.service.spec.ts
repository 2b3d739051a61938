import pino from 'pino';
import { Writable } from 'node:stream';
import { ManualClock } from '../common/time/manual-clock';
import { AuditEvent, AuditEventType } from './audit-event';
import { NoiseLimit } from './audit.limits';
import { AuditService } from './audit.service';
import { AuditStore } from './audit.store';

/** Every JSON line the logger wrote. */
const lines: Record<string, any>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(JSON.parse(chunk.toString()));
    done();
  },
});
const logger = () => pino({ level: 'info' }, sink);

/** A store whose appends settle only when the test says so. */
class ControlledStore implements AuditStore {
  readonly pending: {
    event: AuditEvent;
    limit?: NoiseLimit;
    settle: (error?: Error) => void;
  }[] = [];
  append(event: AuditEvent, limit?: NoiseLimit): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ event, limit, settle: (error) => (error ? reject(error) : resolve()) });
    });
  }
  list(): Promise<AuditEvent[]> {
    return Promise.resolve(this.pending.map((p) => p.event));
  }
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('AuditService', () => {
  let store: ControlledStore;
  let audit: AuditService;
  beforeEach(() => {
    lines.length = 0;
    store = new ControlledStore();
    audit = new AuditService(store, new ManualClock(Date.UTC(2026, 0, 2)), logger());
  });

  it('logs the event at once and hands it to the store without waiting for it', () => {
    audit.record({ event: AuditEventType.LoginSuccess, userId: 'u1', ip: '192.0.2.1' });
    const expected = {
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      time: '2026-01-02T00:00:00.000Z',
      event: 'LOGIN_SUCCESS',
      severity: 'info',
      userId: 'u1',
      ip: '192.0.2.1',
      requestId: null,
      details: {},
    };
    expect(store.pending.map((p) => p.event)).toEqual([expected]);
    expect(lines).toEqual([
      expect.objectContaining({ level: 30, context: 'Audit', audit: expected }),
    ]);
    expect(lines[0].audit.id).toBe(store.pending[0].event.id);
  });

  it('rate-limits TOKEN_INVALID and anonymous LOGIN_FAILED per client ip and reason, and nothing else', () => {
    audit.record({
      event: AuditEventType.TokenInvalid,
      ip: '198.51.100.4',
      details: { reason: 'bad' },
    });
    audit.record({
      event: AuditEventType.TokenInvalid,
      ip: '198.51.100.5',
      details: { reason: 'bad' },
    });
    audit.record({
      event: AuditEventType.LoginFailed,
      ip: '198.51.100.4',
      details: { reason: 'unknown user' },
    });
    // A user's failed logins are their history, bounded by the brute-force counters.
    audit.record({
      event: AuditEventType.LoginFailed,
      userId: 'u1',
      ip: '198.51.100.4',
      details: { reason: 'wrong password' },
    });
    audit.record({ event: AuditEventType.LoginSuccess, userId: 'u1', ip: '198.51.100.4' });
    expect(store.pending.map((p) => p.limit)).toEqual([
      { key: 'TOKEN_INVALID|198.51.100.4|bad', perWindow: 10, windowMs: 60_000 },
      { key: 'TOKEN_INVALID|198.51.100.5|bad', perWindow: 10, windowMs: 60_000 },
      { key: 'LOGIN_FAILED|198.51.100.4|unknown user', perWindow: 10, windowMs: 60_000 },
      undefined,
      undefined,
    ]);
  });

  it('redacts a secret a careless caller put in the details, in the log line', () => {
    audit.record({
      event: AuditEventType.TokenRefreshed,
      userId: 'u1',
      details: { password: 'hunter2-hunter2', refresh_token: 'a.b', sessionId: 's1' },
    });
    expect(lines[0].audit.details).toEqual({
      password: '[redacted]',
      refresh_token: '[redacted]',
      sessionId: 's1',
    });
    expect(JSON.stringify(lines)).not.toContain('hunter2');
  });

  it('logs critical events at error level', () => {
    audit.record({ event: AuditEventType.RefreshReuseDetected, userId: 'u1' });
    expect(lines[0]).toEqual(expect.objectContaining({ level: 50, msg: expect.any(String) }));
  });

  it('never throws when the store fails, and warns once per outage', async () => {
    const failure = Object.assign(new Error('Connection is closed.'), {
      command: { name: 'xadd', args: ['marker-from-the-command'] },
    });
    for (let i = 0; i < 3; i++) {
      expect(() => audit.record({ event: AuditEventType.TokenInvalid })).not.toThrow();
    }
    store.pending.forEach((p) => p.settle(failure));
    await flush();
    audit.record({ event: AuditEventType.TokenInvalid });
    store.pending[3].settle();
    await flush();

    const warnings = lines.filter((l) => l.level === 40 && !l.audit);
    expect(warnings).toEqual([
      expect.objectContaining({ reason: 'Error: Connection is closed.' }),
      expect.objectContaining({ dropped: 3 }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('marker-from-the-command');
  });
});
