/** Node's setTimeout holds at most 2^31-1 ms (~24.8 days); sessions may last up to a year. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface ClosableSocket {
  close(code: number, reason: string): void;
  once(event: 'close', listener: () => void): unknown;
}

/**
 * Closes `socket` with `code` when its session's absolute lifetime ends (`expiresAt`, epoch ms).
 * A session that simply expires publishes no session-ended event, so without this its sockets
 * would live on until the periodic re-check. Long lifetimes are reached in steps of the longest
 * timer Node allows; the timer is dropped when the socket closes first.
 */
export function closeAtExpiry(
  socket: ClosableSocket,
  expiresAt: number,
  now: () => number,
  code: number,
): void {
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    const left = expiresAt - now();
    if (left <= 0) return socket.close(code, 'session expired');
    timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
    timer.unref();
  };
  socket.once('close', () => clearTimeout(timer));
  arm();
}
