import { EventEmitter } from 'node:events';
import { uuidv7 } from '../common/crypto/ids';
import { ManualClock } from '../common/time/manual-clock';
import { WsConfig } from '../config/configuration';
import { MemorySessionEvents } from './session-events/memory-session-events';
import { SocketEvictions } from './session-events/socket-evictions';
import { SocketQuota } from './socket-quota';
import { SOCKET_LEASE_MS, SocketStore } from './socket.store';
import { MemorySocketStore } from './stores/memory-socket.store';

class FakeSocket extends EventEmitter {
  readyState = 1;
  closed: number[] = [];
  close(code: number): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.closed.push(code);
    this.emit('close');
  }
}

const CONFIG: WsConfig = { maxSocketsPerSession: 1, maxSocketsPerUser: 2 };
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('SocketQuota', () => {
  let clock: ManualClock;
  let store: SocketStore;
  let events: MemorySessionEvents;
  let quota: SocketQuota;
  const userId = uuidv7();
  const sessionId = uuidv7();

  function start(evictions: SocketEvictions = events): void {
    quota = new SocketQuota(store, evictions, CONFIG);
    quota.onModuleInit();
  }
  beforeEach(() => {
    clock = new ManualClock();
    store = new MemorySocketStore(clock);
    events = new MemorySessionEvents();
  });
  afterEach(() => quota.onModuleDestroy());

  it('closes the displaced socket with 4429 and keeps the new one', async () => {
    start();
    const [older, newer] = [new FakeSocket(), new FakeSocket()];
    await quota.admit(older, userId, sessionId);
    await quota.admit(newer, userId, sessionId);
    expect([older.closed, newer.closed]).toEqual([[4429], []]);
    await expect(store.list(userId)).resolves.toHaveLength(1);
  });

  it('closes on the next renewal a socket whose eviction notice was lost', async () => {
    const lost: SocketEvictions = {
      publishEvicted: () => Promise.resolve(),
      onEvicted: () => () => true,
    };
    start(lost);
    const [older, newer] = [new FakeSocket(), new FakeSocket()];
    await quota.admit(older, userId, sessionId);
    await quota.admit(newer, userId, sessionId);
    expect(older.closed).toEqual([]);
    await quota.renew();
    expect([older.closed, newer.closed]).toEqual([[4429], []]);
  });

  it('keeps its sockets counted by renewing their leases', async () => {
    start();
    const socket = new FakeSocket();
    await quota.admit(socket, userId, sessionId);
    clock.advance(SOCKET_LEASE_MS - 1);
    await quota.renew();
    clock.advance(SOCKET_LEASE_MS - 1);
    await expect(store.list(userId)).resolves.toHaveLength(1);
    expect(socket.closed).toEqual([]);
  });

  it('stops counting a socket when it closes, also while it was being admitted', async () => {
    start();
    const socket = new FakeSocket();
    await quota.admit(socket, userId, sessionId);
    socket.close(1000);
    const during = new FakeSocket();
    const admitting = quota.admit(during, userId, uuidv7());
    during.close(1000);
    await admitting;
    await flush();
    await expect(store.list(userId)).resolves.toEqual([]);
  });

  it('never counts a socket that closed before its admission', async () => {
    start();
    const socket = new FakeSocket();
    socket.close(1000);
    await quota.admit(socket, userId, sessionId);
    await expect(store.list(userId)).resolves.toEqual([]);
  });
});
