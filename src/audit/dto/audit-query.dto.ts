import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsEnum, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { EXAMPLE_USER_ID } from '../../common/openapi/examples';
import { AuditEventType } from '../audit-event';

/** At most this many events per answer. */
export const AUDIT_MAX_LIMIT = 100;

export class AuditQueryDto {
  @ApiPropertyOptional({ description: 'Only events about this user id', example: EXAMPLE_USER_ID })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(/^[A-Za-z0-9-]+$/, { message: 'userId must be a user id' })
  userId?: string;

  @ApiPropertyOptional({
    enum: AuditEventType,
    enumName: 'AuditEventType',
    example: AuditEventType.LoginFailed,
  })
  @IsOptional()
  @IsEnum(AuditEventType)
  event?: AuditEventType;

  @ApiPropertyOptional({ minimum: 1, maximum: AUDIT_MAX_LIMIT, default: 50, example: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(AUDIT_MAX_LIMIT)
  limit?: number;
}
