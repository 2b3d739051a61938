import { Clock } from './clock';

/** A clock that moves only when told to: for tests of expiry without sleeping. */
export class ManualClock implements Clock {
  constructor(private current = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
