import { Logger } from '@nestjs/common';

/**
 * How long the circuit waits between two probes while it is open. After Redis answers again,
 * the circuit closes within this (plus one round trip): 250 ms keeps recovery far inside the
 * contract's 2 s, and costs at most four PINGs a second, only while Redis is unreachable.
 */
export const PROBE_INTERVAL_MS = 250;

/**
 * A circuit breaker in front of one Redis client. Closed, store calls go through. The first call
 * that gets no answer (a command timeout, a lost connection) opens it: from then on store calls
 * fail at once with 503 instead of each waiting out its own command timeout, so a request with
 * several sequential store calls waits for at most one. While open, the circuit itself probes
 * Redis with a PING every PROBE_INTERVAL_MS and closes on the first answer.
 *
 * Why not cockatiel or opossum: their current majors need Node 22, and in cockatiel 3 the
 * half-open state queues every other call behind the one test call, which deadlocks a store
 * method that calls another (findByLogin → findById) when that method is the test call. Probing
 * with our own PING keeps store calls out of the half-open dance altogether.
 */
export class StoreCircuit {
  private readonly logger = new Logger(StoreCircuit.name);
  private open = false;
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;

  /** `probe`: one cheap round trip to Redis (PING), bounded by the client's command timeout. */
  constructor(
    private readonly probe: () => Promise<unknown>,
    private readonly target: string,
  ) {}

  /** True while Redis did not answer: store calls must fail at once. */
  get isOpen(): boolean {
    return this.open;
  }

  /** A call got no answer: open the circuit (if it is not yet) and start probing. */
  trip(): void {
    if (this.open || this.disposed) return;
    this.open = true;
    this.logger.warn(
      `Redis (${this.target}) did not answer: store calls fail at once until it does`,
    );
    this.scheduleProbe();
  }

  /** Stops probing (application shutdown). */
  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
  }

  private scheduleProbe(): void {
    this.timer = setTimeout(() => void this.runProbe(), PROBE_INTERVAL_MS);
    this.timer.unref(); // never what keeps the process alive
  }

  private async runProbe(): Promise<void> {
    try {
      await this.probe();
    } catch {
      if (!this.disposed) this.scheduleProbe();
      return;
    }
    this.open = false;
    this.logger.log(`Redis (${this.target}) answers again: store calls go through`);
  }
}

const circuits = new WeakMap<object, StoreCircuit>();

/** Puts `circuit` in front of `client`: FailClosed stores on that client consult it. */
export function attachCircuit(client: object, circuit: StoreCircuit): void {
  circuits.set(client, circuit);
}

/** The circuit in front of `client`, if it has one. */
export function circuitOf(client: unknown): StoreCircuit | undefined {
  return typeof client === 'object' && client !== null ? circuits.get(client) : undefined;
}
