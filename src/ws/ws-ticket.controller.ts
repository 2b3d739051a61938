import { Controller, Header, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/decorators/authorize.decorator';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { NO_STORE } from '../common/openapi/response-headers';
import { Throttled } from '../throttle/throttled.decorator';
import { THROTTLE_LIMITS } from '../throttle/throttle.limits';
import { AuthenticatedUser } from '../tokens/token.types';
import { WsTicketDto } from './ws-ticket.dto';
import { WsTicketService } from './ws-ticket.service';

@ApiTags('websocket')
@Controller('auth')
export class WsTicketController {
  constructor(private readonly tickets: WsTicketService) {}

  @Post('ws-ticket')
  @Authenticated()
  @Throttled(THROTTLE_LIMITS.wsTicket, 'caller')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    operationId: 'createWebSocketTicket',
    summary: 'A single-use ticket for the WebSocket at /ws',
    description:
      'Open `GET /ws?ticket=<ticket>` within 60 seconds. The ticket works once, only while this ' +
      'session is active; the socket is closed with code 4401 when the session ends. At most ' +
      `${THROTTLE_LIMITS.wsTicket} tickets per user per minute.`,
  })
  @ApiOkResponse({
    description: 'A ticket, good once within 60 s',
    type: WsTicketDto,
    headers: NO_STORE,
  })
  ticket(@CurrentUser() caller: AuthenticatedUser): Promise<WsTicketDto> {
    return this.tickets.issue(caller);
  }
}
