import { Controller, Get, HttpCode, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authorize } from '../auth/decorators/authorize.decorator';
import { AppErrorCode } from '../common/errors/app-error';
import { ApiProblem } from '../common/openapi/api-problem.decorator';
import { AuditEventType } from './audit-event';
import { AuditService } from './audit.service';
import { AuditPageDto } from './dto/audit-page.dto';
import { AuditQueryDto } from './dto/audit-query.dto';

const DEFAULT_LIMIT = 50;

@ApiTags('audit')
@Controller('admin/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Authorize({ scopes: ['audit:read'] })
  @HttpCode(200)
  @ApiOperation({
    operationId: 'listAuditEvents',
    summary: 'The audit trail, newest first',
    description:
      'Filters combine (all must match) and are exact over the whole retained trail. Each ' +
      'event type keeps its own newest events (the oldest of that type fall off), so noise of ' +
      'one type never evicts another. TOKEN_INVALID is rate-limited per client and reason: ' +
      'past the limit, one summary event per window counts the rest in `details.count`.',
  })
  @ApiOkResponse({ description: 'The newest matching events', type: AuditPageDto })
  @ApiProblem('A filter is malformed, or `limit` is out of range', {
    code: AppErrorCode.ValidationFailed,
    detail: `event must be one of the following values: ${Object.values(AuditEventType).join(', ')}`,
  })
  async list(@Query() query: AuditQueryDto): Promise<AuditPageDto> {
    const items = await this.audit.list({ ...query, limit: query.limit ?? DEFAULT_LIMIT });
    return { items };
  }
}
