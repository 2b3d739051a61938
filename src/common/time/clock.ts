import { Inject, Injectable } from '@nestjs/common';

/** Wall-clock time behind a port, so tests can move time instead of sleeping. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}
export const Clock = Symbol('Clock');
export const InjectClock = () => Inject(Clock);

@Injectable()
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
}
