import { randomBytes } from 'node:crypto';
import { uuidv7 } from '../../common/crypto/ids';
import { ManualClock } from '../../common/time/manual-clock';
import { MemorySessionEvents } from '../../ws/session-events/memory-session-events';
import { SessionEvents } from '../../ws/session-events/session-events';
import { NewSession, sessionRef as ref } from '../session';
import { MemorySessionStore } from './memory-session.store';
import { NotifyingSessionStore } from './notifying-session.store';

const hash = (): string => randomBytes(32).toString('base64url');

describe('NotifyingSessionStore', () => {
  let clock: ManualClock;
  let events: SessionEvents;
  let ended: string[][];
  let store: NotifyingSessionStore;

  beforeEach(() => {
    clock = new ManualClock();
    events = new MemorySessionEvents();
    ended = [];
    events.onEnded((ids) => ended.push(ids));
    store = new NotifyingSessionStore(new MemorySessionStore(clock), events);
  });

  async function aSession(userId = uuidv7()): Promise<NewSession> {
    const now = clock.now();
    const session: NewSession = {
      id: uuidv7(now),
      userId,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: now + 3_600_000,
      userAgent: null,
      ip: null,
      scope: '',
      refreshHash: hash(),
      generation: 0,
    };
    await store.create(session, 50);
    return session;
  }

  it('announces a revoked session, and nothing for one that was not live', async () => {
    const session = await aSession();
    await store.revoke(ref(session));
    await store.revoke(ref(session));
    expect(ended).toEqual([[session.id]]);
  });

  it('announces every session ended by revokeAllForUser, but not the kept one', async () => {
    const userId = uuidv7();
    const [keep, a, b] = [await aSession(userId), await aSession(userId), await aSession(userId)];
    await store.revokeAllForUser(userId, keep.id);
    expect(ended.map((ids) => ids.sort())).toEqual([[a.id, b.id].sort()]);
  });

  it('announces the session that refresh-token reuse ended, not a normal rotation', async () => {
    const session = await aSession();
    await store.rotate(ref(session), session.refreshHash, hash(), clock.now());
    expect(ended).toEqual([]);
    const reused = await store.rotate(ref(session), session.refreshHash, hash(), clock.now());
    expect(reused.status).toBe('reused');
    expect(ended).toEqual([[session.id]]);
  });

  it('announces the sessions the per-user cap ends', async () => {
    const userId = uuidv7();
    const oldest = await aSession(userId);
    clock.advance(1000);
    const next: NewSession = { ...oldest, id: uuidv7(clock.now()), lastUsedAt: clock.now() };
    await store.create(next, 1);
    expect(ended).toEqual([[oldest.id]]);
  });

  it('still ends the session when the announcement fails', async () => {
    const failing: SessionEvents = {
      publishEnded: () => Promise.reject(new Error('Redis is down')),
      onEnded: () => () => undefined,
    };
    const inner = new MemorySessionStore(clock);
    store = new NotifyingSessionStore(inner, failing);
    const session = await aSession();
    await expect(store.revoke(ref(session))).resolves.toBe(true);
    await expect(inner.get(ref(session))).resolves.toBeNull();
  });
});
