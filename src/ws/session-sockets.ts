import { Injectable } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { SessionRef } from '../tokens/session';
import { WsCloseCode } from './ws-close-codes';

/** The open sockets of this instance, by session id. */
@Injectable()
export class SessionSockets {
  private readonly bySession = new Map<string, Set<WebSocket>>();
  /** Whose each session is: sessions are looked up under their user. */
  private readonly owners = new Map<string, string>();

  /** Tracks the socket until it closes. */
  add({ userId, sessionId }: SessionRef, socket: WebSocket): void {
    const sockets = this.bySession.get(sessionId) ?? new Set<WebSocket>();
    this.bySession.set(sessionId, sockets.add(socket));
    this.owners.set(sessionId, userId);
    socket.once('close', () => {
      sockets.delete(socket);
      if (sockets.size === 0 && this.bySession.get(sessionId) === sockets) {
        this.bySession.delete(sessionId);
        this.owners.delete(sessionId);
      }
    });
  }

  /** Closes (4401) every socket of the given sessions. */
  closeSessions(sessionIds: Iterable<string>, reason = 'session ended'): void {
    for (const sessionId of sessionIds) {
      for (const socket of this.bySession.get(sessionId) ?? []) {
        socket.close(WsCloseCode.Unauthorized, reason);
      }
    }
  }

  sessions(): SessionRef[] {
    return [...this.owners].map(([sessionId, userId]) => ({ userId, sessionId }));
  }
}
