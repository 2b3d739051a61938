import { ThrottlerStorage } from '@nestjs/throttler';
import { Clock } from '../common/time/clock';
import type { ThrottlerStorageRecord } from './throttler-storage.provider';

interface Tracker {
  hits: number;
  windowEndsAt: number;
  blockedUntil: number;
}

/** Sweep stale trackers every this many hits, so memory stays bounded without a timer. */
const SWEEP_EVERY = 1000;

/**
 * `ThrottlerStorage` in process memory with the Redis driver's semantics: a **fixed window**
 * from a tracker's first hit; the hit over the limit blocks for `blockDuration`, then a fresh
 * window starts; hits during a block are not counted. Time comes from the injected Clock.
 */
export class MemoryThrottlerStorage implements ThrottlerStorage {
  private readonly trackers = new Map<string, Tracker>();
  private hitsSeen = 0;

  constructor(private readonly clock: Clock) {}

  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const now = this.clock.now();
    const id = `${throttlerName}:${key}`;
    this.sweep(now);
    const tracker = this.live(id, now) ?? { hits: 0, windowEndsAt: now + ttl, blockedUntil: 0 };
    this.trackers.set(id, tracker);
    if (tracker.blockedUntil > now) return Promise.resolve(blocked(0, tracker.blockedUntil - now));
    tracker.hits += 1;
    const windowMs = tracker.windowEndsAt - now;
    if (tracker.hits <= limit) return Promise.resolve(record(tracker.hits, windowMs, false, 0));
    if (blockDuration <= 0) return Promise.resolve(record(tracker.hits, windowMs, true, windowMs));
    // Block, and start a fresh window once the block is over.
    this.trackers.set(id, { hits: 0, windowEndsAt: 0, blockedUntil: now + blockDuration });
    return Promise.resolve(blocked(tracker.hits, blockDuration));
  }

  private live(id: string, now: number): Tracker | undefined {
    const tracker = this.trackers.get(id);
    if (!tracker || tracker.blockedUntil > now) return tracker;
    return tracker.windowEndsAt > now ? tracker : undefined;
  }

  private sweep(now: number): void {
    if (++this.hitsSeen % SWEEP_EVERY !== 0) return;
    for (const id of [...this.trackers.keys()]) {
      if (!this.live(id, now)) this.trackers.delete(id);
    }
  }
}

function record(hits: number, windowMs: number, isBlocked: boolean, blockMs: number) {
  return {
    totalHits: hits,
    timeToExpire: Math.ceil(windowMs / 1000),
    isBlocked,
    timeToBlockExpire: Math.ceil(blockMs / 1000),
  };
}

const blocked = (hits: number, blockMs: number) => record(hits, blockMs, true, blockMs);
