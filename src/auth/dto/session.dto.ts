import { ApiProperty } from '@nestjs/swagger';
import {
  EXAMPLE_IAT,
  EXAMPLE_IP,
  EXAMPLE_REFRESH_TTL,
  EXAMPLE_SESSION_ID,
  EXAMPLE_USER_AGENT,
  isoTime,
} from '../../common/openapi/examples';
import { SessionView } from '../../tokens/sessions.service';

export class SessionDto implements SessionView {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_SESSION_ID }) id!: string;
  @ApiProperty({ format: 'date-time', description: 'The login', example: isoTime(EXAMPLE_IAT) })
  createdAt!: string;
  @ApiProperty({
    format: 'date-time',
    description: 'The last login or refresh',
    example: isoTime(EXAMPLE_IAT + 1260),
  })
  lastUsedAt!: string;
  @ApiProperty({
    format: 'date-time',
    description: 'The absolute end of the session',
    example: isoTime(EXAMPLE_IAT + EXAMPLE_REFRESH_TTL),
  })
  expiresAt!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'As sent at login, at most 256 characters',
    example: EXAMPLE_USER_AGENT,
  })
  userAgent!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Client IP at login',
    example: EXAMPLE_IP,
  })
  ip!: string | null;
  @ApiProperty({ description: 'The session of the presented token', example: true })
  current!: boolean;
}
