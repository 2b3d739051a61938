import { Logger } from '@nestjs/common';

/** A set of listeners to ids; one failing listener never keeps the others from hearing. */
export class IdListeners {
  private readonly listeners = new Set<(ids: string[]) => void>();

  constructor(
    private readonly logger: Logger,
    private readonly kind: string,
  ) {}

  /** Adds a listener; returns its removal. */
  add(listener: (ids: string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(ids: string[]): void {
    for (const listener of [...this.listeners]) {
      try {
        listener([...ids]);
      } catch (error) {
        this.logger.error({ err: error }, `A ${this.kind} listener failed`);
      }
    }
  }
}
