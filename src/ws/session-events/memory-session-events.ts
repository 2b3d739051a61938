import { Logger } from '@nestjs/common';
import { IdListeners } from './listeners';
import { SessionEndedListener, SessionEvents } from './session-events';
import { SocketEvictions, SocketsEvictedListener } from './socket-evictions';

/** In-process fan-out for the memory store driver: one process is the whole deployment. */
export class MemorySessionEvents implements SessionEvents, SocketEvictions {
  private readonly logger = new Logger(MemorySessionEvents.name);
  private readonly ended = new IdListeners(this.logger, 'session-ended');
  private readonly evicted = new IdListeners(this.logger, 'sockets-evicted');

  publishEnded(sessionIds: string[]): Promise<void> {
    if (sessionIds.length > 0) this.ended.emit(sessionIds);
    return Promise.resolve();
  }

  onEnded(listener: SessionEndedListener): () => void {
    return this.ended.add(listener);
  }

  publishEvicted(socketIds: string[]): Promise<void> {
    if (socketIds.length > 0) this.evicted.emit(socketIds);
    return Promise.resolve();
  }

  onEvicted(listener: SocketsEvictedListener): () => void {
    return this.evicted.add(listener);
  }
}
