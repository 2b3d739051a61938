import { ApiProperty } from '@nestjs/swagger';
import {
  EXAMPLE_IAT,
  EXAMPLE_IP,
  EXAMPLE_REQUEST_ID,
  EXAMPLE_SESSION_ID,
  EXAMPLE_USER_ID,
  isoTime,
} from '../../common/openapi/examples';
import { AuditEvent, AuditEventType, AuditSeverity } from '../audit-event';

export class AuditEventDto implements AuditEvent {
  @ApiProperty({
    format: 'uuid',
    description: 'UUIDv7 (time-ordered to the millisecond)',
    example: '01a22bbc-7221-7934-ac77-931edb95478e',
  })
  id!: string;
  @ApiProperty({ format: 'date-time', example: isoTime(EXAMPLE_IAT) }) time!: string;
  @ApiProperty({
    enum: AuditEventType,
    enumName: 'AuditEventType',
    example: AuditEventType.LoginSuccess,
  })
  event!: AuditEventType;
  @ApiProperty({ enum: ['info', 'warning', 'critical'], example: 'info' })
  severity!: AuditSeverity;
  @ApiProperty({ type: String, nullable: true, format: 'uuid', example: EXAMPLE_USER_ID })
  userId!: string | null;
  @ApiProperty({ type: String, nullable: true, example: EXAMPLE_IP }) ip!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The request that caused it, as `reqId` in the logs',
    example: EXAMPLE_REQUEST_ID,
  })
  requestId!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'Ids, reasons and counts; never a password, token or secret. A TOKEN_INVALID summary ' +
      'has `summary: true`, `count` (the refusals it stands for) and `windowSeconds`.',
    example: { sessionId: EXAMPLE_SESSION_ID },
  })
  details!: Record<string, unknown>;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEventDto], description: 'Newest first' })
  items!: AuditEventDto[];
}
