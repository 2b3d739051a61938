import { beforeEach, describe, expect, it } from '@jest/globals';
import { uuidv7 } from '../../common/crypto/ids';
import { AuditEvent, AuditEventType } from '../audit-event';
import { AUDIT_SCAN_WINDOW, AuditStore } from '../audit.store';

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

async function appendAll(store: AuditStore, events: AuditEvent[]): Promise<void> {
  await Promise.all(events.map((e) => store.append(e)));
}

/** The behaviour every AuditStore driver must have; `makeStore` gives an empty store. */
export function describeAuditStoreContract(
  name: string,
  makeStore: () => AuditStore | Promise<AuditStore>,
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
      const events = Array.from({ length: 5 }, () => anEvent());
      await appendAll(store, events);
      await expect(store.list({ limit: 2 })).resolves.toEqual([events[4], events[3]]);
    });

    it('filters by user, by event type and by both', async () => {
      const userId = uuidv7();
      const mine = anEvent({ userId });
      const mineFailed = anEvent({ userId, event: AuditEventType.LoginFailed });
      const otherFailed = anEvent({ event: AuditEventType.LoginFailed });
      await appendAll(store, [mine, mineFailed, otherFailed, anEvent()]);
      await expect(store.list({ userId, limit: 10 })).resolves.toEqual([mineFailed, mine]);
      const failed = await store.list({ event: AuditEventType.LoginFailed, limit: 10 });
      expect(failed).toEqual([otherFailed, mineFailed]);
      const both = await store.list({ userId, event: AuditEventType.LoginFailed, limit: 10 });
      expect(both).toEqual([mineFailed]);
    });

    it('finds matches far below the newest events', async () => {
      const needle = anEvent();
      await store.append(needle);
      await appendAll(
        store,
        Array.from({ length: 1_200 }, () => anEvent()),
      );
      await expect(store.list({ userId: needle.userId!, limit: 10 })).resolves.toEqual([needle]);
    });

    it(`searches only the newest ${AUDIT_SCAN_WINDOW} events`, async () => {
      const tooOld = anEvent();
      await store.append(tooOld);
      await appendAll(
        store,
        Array.from({ length: AUDIT_SCAN_WINDOW }, () => anEvent()),
      );
      await expect(store.list({ userId: tooOld.userId!, limit: 10 })).resolves.toEqual([]);
    });
  });
}
