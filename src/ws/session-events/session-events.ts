import { Inject } from '@nestjs/common';

/** Called with the ids of sessions that ended, on whichever instance ended them. */
export type SessionEndedListener = (sessionIds: string[]) => void;

/**
 * Fan-out of "these sessions ended" to every instance, so each can close the WebSockets it holds
 * for them. Delivery is best effort (pub/sub keeps no history): a listener must also re-check its
 * sessions now and then, and nothing may treat a missing event as "still active".
 */
export interface SessionEvents {
  /** Tells every instance, this one included, that the sessions ended. */
  publishEnded(sessionIds: string[]): Promise<void>;
  /** Adds a listener for the rest of the process's life; returns its removal. */
  onEnded(listener: SessionEndedListener): () => void;
}
export const SessionEvents = Symbol('SessionEvents');
export const InjectSessionEvents = () => Inject(SessionEvents);
