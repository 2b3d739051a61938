import { Module } from '@nestjs/common';
import { TokensModule } from '../tokens/tokens.module';
import { SessionEvents } from './session-events/session-events';
import { SocketEvictions } from './session-events/socket-evictions';
import { SessionGateway } from './session.gateway';
import { SessionSockets } from './session-sockets';
import { SocketQuota } from './socket-quota';
import { socketStoreProvider } from './stores/socket-store.provider';
import { WsTicketController } from './ws-ticket.controller';
import { WsTicketService } from './ws-ticket.service';
import { WsUpgradeController } from './ws-upgrade.controller';

/**
 * WebSocket tickets and the gateway at /ws. The session-ended fan-out it listens to is provided
 * by TokensModule (where sessions end; see NotifyingSessionStore); socket evictions travel over
 * the same fan-out, so `SocketEvictions` is the very same driver instance.
 */
@Module({
  imports: [TokensModule],
  controllers: [WsTicketController, WsUpgradeController],
  providers: [
    WsTicketService,
    SessionSockets,
    SessionGateway,
    SocketQuota,
    socketStoreProvider,
    { provide: SocketEvictions, useExisting: SessionEvents },
  ],
})
export class WsModule {}
