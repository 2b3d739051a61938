import { ApiProperty } from '@nestjs/swagger';

export class WsTicketDto {
  @ApiProperty({ description: 'Single-use JWS (typ ws-ticket+jwt); pass as GET /ws?ticket=…' })
  ticket!: string;
  @ApiProperty({ description: 'Seconds the ticket stays redeemable', example: 60 })
  expires_in!: number;
}
