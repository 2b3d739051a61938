import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { TokensModule } from '../tokens/tokens.module';
import { SessionGateway } from './session.gateway';
import { SessionSockets } from './session-sockets';
import { WsTicketController } from './ws-ticket.controller';
import { WsTicketService } from './ws-ticket.service';

/**
 * WebSocket tickets and the gateway at /ws. The session-ended fan-out it listens to is provided
 * by TokensModule (where sessions end; see NotifyingSessionStore).
 */
@Module({
  imports: [TokensModule, JwtModule.register({})],
  controllers: [WsTicketController],
  providers: [WsTicketService, SessionSockets, SessionGateway],
})
export class WsModule {}
