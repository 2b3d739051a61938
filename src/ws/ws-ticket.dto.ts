import { ApiProperty } from '@nestjs/swagger';
import { EXAMPLE_WS_TICKET } from '../common/openapi/examples';

export class WsTicketDto {
  @ApiProperty({
    description: 'Single-use JWS (typ ws-ticket+jwt); pass as GET /ws?ticket=…',
    example: EXAMPLE_WS_TICKET,
  })
  ticket!: string;
  @ApiProperty({ description: 'Seconds the ticket stays redeemable', example: 60 })
  expires_in!: number;
}
