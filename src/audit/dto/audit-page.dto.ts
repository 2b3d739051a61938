import { ApiProperty } from '@nestjs/swagger';
import { AuditEvent, AuditEventType, AuditSeverity } from '../audit-event';

export class AuditEventDto implements AuditEvent {
  @ApiProperty({ description: 'UUIDv7 (time-ordered to the millisecond)' }) id!: string;
  @ApiProperty({ format: 'date-time' }) time!: string;
  @ApiProperty({ enum: AuditEventType, enumName: 'AuditEventType' }) event!: AuditEventType;
  @ApiProperty({ enum: ['info', 'warning', 'critical'] }) severity!: AuditSeverity;
  @ApiProperty({ type: String, nullable: true }) userId!: string | null;
  @ApiProperty({ type: String, nullable: true }) ip!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The request that caused it, as `reqId` in the logs',
  })
  requestId!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'Ids, reasons and counts; never a password, token or secret. A TOKEN_INVALID summary ' +
      'has `summary: true`, `count` (the refusals it stands for) and `windowSeconds`.',
  })
  details!: Record<string, unknown>;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEventDto], description: 'Newest first' })
  items!: AuditEventDto[];
}
