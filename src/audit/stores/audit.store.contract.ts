import { beforeEach, describe, expect, it } from '@jest/globals';
import { uuidv7 } from '../../common/crypto/ids';
import { AuditEvent, AuditEventType } from '../audit-event';
import { AUDIT_RETENTION, AuditRetention, NoiseLimit } from '../audit.limits';
import { AuditStore } from '../audit.store';

let sequence = 0;

/** A distinct event; ids and times increase with every call, as AuditService makes them. */
export function anEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  const now = Date.now() + sequence++;
  return {
    id: uuidv7(now),
    time: new Date(now).toISOString(),
    event: AuditEventType.LoginSuccess,
    severity: 'info',
    userId: uuidv7(now),
    ip: '203.0.113.7',
    requestId: uuidv7(now),
    details: { sessionId: uuidv7(now) },
    ...overrides,
  };
}

/** An anonymous refused token, as the guard records it; `at` moves its time (ms from now). */
function aBadToken(at = 0): AuditEvent {
  const event = anEvent({ event: AuditEventType.TokenInvalid, severity: 'warning', userId: null });
  const time = new Date(Date.parse(event.time) + at).toISOString();
  return { ...event, time, details: { reason: 'malformed token' } };
}

/** The budget of one client: 3 refusals a minute on their own, then a summary. */
const NOISE: NoiseLimit = { key: 'TOKEN_INVALID|198.51.100.4|bad', perWindow: 3, windowMs: 60_000 };

/** A tiny retention, so that eviction is cheap to reach. */
function retaining(keep: number): AuditRetention {
  const all = Object.keys(AUDIT_RETENTION) as AuditEventType[];
  return Object.fromEntries(all.map((type) => [type, keep])) as AuditRetention;
}

/** Appends many, a batch at a time (a batch runs concurrently, within the command timeout). */
async function appendAll(store: AuditStore, events: AuditEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 250) {
    await Promise.all(events.slice(i, i + 250).map((e) => store.append(e)));
  }
}

/** Appends one at a time: the order of appends is the order the test states. */
async function appendInOrder(store: AuditStore, events: AuditEvent[], limit?: NoiseLimit) {
  for (const event of events) await store.append(event, limit);
}

const many = (count: number, make: () => AuditEvent) => Array.from({ length: count }, () => make());

/**
 * The behaviour every AuditStore driver must have; `makeStore` gives an empty store that keeps
 * `retention` (the production bounds when not given).
 */
export function describeAuditStoreContract(
  name: string,
  makeStore: (retention?: AuditRetention) => AuditStore | Promise<AuditStore>,
): void {
  describe(`AuditStore contract: ${name}`, () => {
    let store: AuditStore;
    beforeEach(async () => {
      store = await makeStore();
    });

    it('returns nothing from an empty trail', async () => {
      await expect(store.list({ limit: 10 })).resolves.toEqual([]);
    });

    it('returns appended events whole, newest first', async () => {
      const first = anEvent({ userId: null, ip: null, requestId: null, details: {} });
      const second = anEvent({
        event: AuditEventType.SessionRevoked,
        details: { sessionIds: ['a', 'b'], reason: 'password changed', count: 2, all: true },
      });
      await store.append(first);
      await store.append(second);
      await expect(store.list({ limit: 10 })).resolves.toEqual([second, first]);
    });

    it('returns at most `limit` events, the newest ones', async () => {
      const events = many(5, anEvent);
      await appendInOrder(store, events);
      await expect(store.list({ limit: 2 })).resolves.toEqual([events[4], events[3]]);
    });

    it('filters by user, by event type and by both, newest first, within the limit', async () => {
      const userId = uuidv7();
      const failed = () => anEvent({ userId, event: AuditEventType.LoginFailed });
      const [mine, mineFailed, otherFailed, mineFailedAgain] = [
        anEvent({ userId }),
        failed(),
        anEvent({ event: AuditEventType.LoginFailed }),
        failed(),
      ];
      await appendInOrder(store, [mine, mineFailed, otherFailed, anEvent(), mineFailedAgain]);
      const query = { userId, limit: 10 };
      await expect(store.list(query)).resolves.toEqual([mineFailedAgain, mineFailed, mine]);
      await expect(store.list({ ...query, limit: 2 })).resolves.toEqual([
        mineFailedAgain,
        mineFailed,
      ]);
      const byType = await store.list({ event: AuditEventType.LoginFailed, limit: 10 });
      expect(byType).toEqual([mineFailedAgain, otherFailed, mineFailed]);
      const both = { ...query, event: AuditEventType.LoginFailed, limit: 1 };
      await expect(store.list(both)).resolves.toEqual([mineFailedAgain]);
    });

    it('finds an event by user and by type exactly, below more events than the old 5 000 window', async () => {
      const needle = anEvent({ event: AuditEventType.RefreshReuseDetected, severity: 'critical' });
      await store.append(needle);
      await appendAll(store, many(5_001, anEvent));
      const userId = needle.userId!;
      await expect(store.list({ userId, limit: 10 })).resolves.toEqual([needle]);
      const event = AuditEventType.RefreshReuseDetected;
      await expect(store.list({ event, limit: 10 })).resolves.toEqual([needle]);
      await expect(store.list({ userId, event, limit: 10 })).resolves.toEqual([needle]);
    });

    describe('retention', () => {
      beforeEach(async () => {
        store = await makeStore(retaining(3));
      });

      it('keeps the newest events of each type, up to its own bound', async () => {
        const logins = many(7, anEvent);
        await appendInOrder(store, logins);
        const kept = await store.list({ event: AuditEventType.LoginSuccess, limit: 10 });
        expect(kept).toEqual(logins.slice(4).reverse());
        await expect(store.list({ limit: 10 })).resolves.toEqual(kept);
      });

      it('never lets noise of one type evict a warning or critical event of another', async () => {
        const reuse = anEvent({ event: AuditEventType.RefreshReuseDetected, severity: 'critical' });
        const deleted = anEvent({ event: AuditEventType.UserDeleted, severity: 'warning' });
        await appendInOrder(store, [reuse, deleted]);
        await appendInOrder(store, many(20, anEvent));
        await appendInOrder(store, many(20, aBadToken));
        const all = await store.list({ limit: 100 });
        expect(all).toHaveLength(3 + 3 + 2);
        expect(all.slice(-2)).toEqual([deleted, reuse]);
        const found = { userId: reuse.userId!, event: reuse.event, limit: 10 };
        await expect(store.list(found)).resolves.toEqual([reuse]);
      });

      it("never lets anonymous noise of a type evict a user's events of that type", async () => {
        const failed = anEvent({ event: AuditEventType.LoginFailed, severity: 'warning' });
        await appendInOrder(store, [failed]);
        const anonymous = () =>
          anEvent({ event: AuditEventType.LoginFailed, severity: 'warning', userId: null });
        await appendInOrder(store, many(20, anonymous));
        const byUser = { userId: failed.userId!, limit: 10 };
        await expect(store.list(byUser)).resolves.toEqual([failed]);
        const ofType = await store.list({ event: AuditEventType.LoginFailed, limit: 100 });
        expect(ofType).toHaveLength(3 + 1);
        expect(ofType[3]).toEqual(failed);
      });

      it('drops an event that fell off from every filter at once', async () => {
        const gone = anEvent();
        const userId = gone.userId!;
        const kept = anEvent({ userId, event: AuditEventType.PasswordChanged });
        await appendInOrder(store, [gone, kept, ...many(3, anEvent)]);
        await expect(store.list({ userId, limit: 10 })).resolves.toEqual([kept]);
        const event = AuditEventType.LoginSuccess;
        await expect(store.list({ userId, event, limit: 10 })).resolves.toEqual([]);
        const all = await store.list({ limit: 10 });
        expect(all.map((e) => e.id)).not.toContain(gone.id);
        expect(all).toHaveLength(4);
      });
    });

    describe('noise limit', () => {
      const invalid = { event: AuditEventType.TokenInvalid, limit: 100 };

      it('records the first events of a key, then one summary that counts the rest', async () => {
        const refused = many(10, aBadToken);
        await appendInOrder(store, refused, NOISE);
        const kept = await store.list(invalid);
        const summary = { reason: 'malformed token', summary: true, count: 7, windowSeconds: 60 };
        expect(kept).toEqual([
          { ...refused[3], details: summary },
          ...refused.slice(0, 3).reverse(),
        ]);
      });

      it('counts concurrent events exactly', async () => {
        await Promise.all(many(200, aBadToken).map((e) => store.append(e, NOISE)));
        const kept = await store.list(invalid);
        expect(kept).toHaveLength(4);
        expect(kept.filter((e) => e.details.summary).map((e) => e.details.count)).toEqual([197]);
      });

      /** Two bursts of 5, the second under `second` and `at` ms later: every count, newest first. */
      async function twoBursts(second: NoiseLimit, at = 0): Promise<unknown[]> {
        await appendInOrder(store, many(5, aBadToken), NOISE);
        await appendInOrder(
          store,
          many(5, () => aBadToken(at)),
          second,
        );
        return (await store.list(invalid)).map((e) => e.details.count);
      }
      /** Each burst as two budgets record it: 3 on their own, then a summary that counts 2. */
      const burst = [2, undefined, undefined, undefined];

      it('gives each key its own budget', async () => {
        await expect(twoBursts({ ...NOISE, key: 'other' })).resolves.toEqual([...burst, ...burst]);
      });

      it('opens a new window, with a summary of its own, once the window has passed', async () => {
        const later = NOISE.windowMs + 1;
        await expect(twoBursts(NOISE, later)).resolves.toEqual([...burst, ...burst]);
      });

      it('starts a new summary when the last one fell off', async () => {
        store = await makeStore(retaining(3));
        await appendInOrder(store, many(4, aBadToken), NOISE);
        await appendInOrder(store, many(3, aBadToken), { ...NOISE, key: 'other' });
        await appendInOrder(store, many(2, aBadToken), NOISE);
        const summaries = (await store.list(invalid)).filter((e) => e.details.summary);
        expect(summaries.map((e) => e.details.count)).toEqual([2]);
      });
    });
  });
}
