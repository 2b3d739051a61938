import { EventEmitter } from 'node:events';
import { closeAtExpiry } from './session-expiry';

class FakeSocket extends EventEmitter {
  closed: [number, string][] = [];
  close(code: number, reason: string): void {
    this.closed.push([code, reason]);
    this.emit('close');
  }
}

describe('closeAtExpiry', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('closes the socket with the code when the session expires, not before', () => {
    const socket = new FakeSocket();
    closeAtExpiry(socket, Date.now() + 5_000, () => Date.now(), 4401);
    jest.advanceTimersByTime(4_999);
    expect(socket.closed).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(socket.closed).toEqual([[4401, 'session expired']]);
  });

  it('reaches a lifetime beyond the longest Node timer in steps, without closing early', () => {
    const socket = new FakeSocket();
    const year = 365 * 86_400_000;
    closeAtExpiry(socket, Date.now() + year, () => Date.now(), 4401);
    jest.advanceTimersByTime(year - 1);
    expect(socket.closed).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(socket.closed).toEqual([[4401, 'session expired']]);
  });

  it('closes at once a socket whose session has already expired', () => {
    const socket = new FakeSocket();
    closeAtExpiry(socket, Date.now() - 1, () => Date.now(), 4401);
    expect(socket.closed).toEqual([[4401, 'session expired']]);
  });

  it('drops its timer when the socket closes first', () => {
    const socket = new FakeSocket();
    closeAtExpiry(socket, Date.now() + 5_000, () => Date.now(), 4401);
    socket.close(1000, 'bye');
    expect(jest.getTimerCount()).toBe(0);
  });
});
