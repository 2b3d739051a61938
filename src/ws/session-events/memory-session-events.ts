import { Logger } from '@nestjs/common';
import { SessionEndedListener, SessionEvents } from './session-events';

/** In-process fan-out for the memory store driver: one process is the whole deployment. */
export class MemorySessionEvents implements SessionEvents {
  private readonly logger = new Logger(MemorySessionEvents.name);
  private readonly listeners = new Set<SessionEndedListener>();

  publishEnded(sessionIds: string[]): Promise<void> {
    if (sessionIds.length === 0) return Promise.resolve();
    for (const listener of [...this.listeners]) {
      // One failing listener must not keep the others from closing their sockets.
      try {
        listener([...sessionIds]);
      } catch (error) {
        this.logger.error({ err: error }, 'A session-ended listener failed');
      }
    }
    return Promise.resolve();
  }

  onEnded(listener: SessionEndedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
