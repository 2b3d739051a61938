import { Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { Clock, InjectClock } from '../common/time/clock';
import { InjectSessionStore, SessionStore } from '../tokens/session.store';
import { InjectSessionEvents, SessionEvents } from './session-events/session-events';
import { closeAtExpiry } from './session-expiry';
import { SessionSockets } from './session-sockets';
import { SocketQuota } from './socket-quota';
import { WsCloseCode } from './ws-close-codes';
import { WsTicketService } from './ws-ticket.service';

/** Re-check of every open socket's session: catches events lost to a Redis hiccup. */
const RECHECK_INTERVAL_MS = 15_000;

/**
 * `GET /ws?ticket=…` on the API's own port. A socket is admitted only with a valid, unused ticket
 * of an active session and greeted with `{"type":"hello","userId":…}`; anything else is closed with
 * 4401. It stays open only while its session lives: session-ended events from any instance close
 * it within moments. A session and a user hold only so many sockets over all instances: beyond
 * that the oldest is closed with 4429 (SocketQuota). Client messages are ignored (and capped in
 * size).
 */
@WebSocketGateway({ path: '/ws', maxPayload: 4096 })
export class SessionGateway implements OnGatewayConnection, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SessionGateway.name);
  private stopListening: (() => void) | undefined;
  private recheckTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly tickets: WsTicketService,
    private readonly sockets: SessionSockets,
    @InjectSessionEvents() private readonly events: SessionEvents,
    @InjectSessionStore() private readonly sessions: SessionStore,
    @InjectClock() private readonly clock: Clock,
    private readonly quota: SocketQuota,
  ) {}

  onModuleInit(): void {
    this.stopListening = this.events.onEnded((ids) => this.sockets.closeSessions(ids));
    this.recheckTimer = setInterval(() => void this.recheck(), RECHECK_INTERVAL_MS).unref();
  }

  onModuleDestroy(): void {
    this.stopListening?.();
    clearInterval(this.recheckTimer);
  }

  async handleConnection(socket: WebSocket, request: IncomingMessage): Promise<void> {
    try {
      await this.admit(socket, request);
    } catch (error) {
      this.logger.warn(`WebSocket admission failed: ${(error as Error).message}`);
      socket.close(WsCloseCode.TryAgainLater, 'try again later');
    }
  }

  private async admit(socket: WebSocket, request: IncomingMessage): Promise<void> {
    const ticket = new URL(request.url ?? '/', 'http://ws.invalid').searchParams.get('ticket');
    const claims = ticket ? this.tickets.verify(ticket) : null;
    if (!claims || !(await this.tickets.consume(claims))) {
      return socket.close(WsCloseCode.Unauthorized, 'invalid ticket');
    }
    // Track the socket before asking whether its session lives: a session that ends after this
    // read publishes after it too, so the event finds the socket. No window for a missed end.
    const ref = { userId: claims.sub, sessionId: claims.sid };
    this.sockets.add(ref, socket);
    const session = await this.sessions.get(ref);
    if (!session || session.userId !== claims.sub) {
      return socket.close(WsCloseCode.Unauthorized, 'session ended');
    }
    await this.quota.admit(socket, claims.sub, claims.sid);
    closeAtExpiry(socket, session.expiresAt, () => this.clock.now(), WsCloseCode.Unauthorized);
    socket.send(JSON.stringify({ type: 'hello', userId: claims.sub }));
  }

  private async recheck(): Promise<void> {
    const refs = this.sockets.sessions();
    try {
      const sessions = await Promise.all(refs.map((ref) => this.sessions.get(ref)));
      this.sockets.closeSessions(
        refs.filter((_, i) => sessions[i] === null).map((r) => r.sessionId),
      );
    } catch (error) {
      // Store down: keep the sockets, as the API keeps answering 503 rather than logging out.
      this.logger.warn(`WebSocket session re-check failed: ${(error as Error).message}`);
    }
  }
}
