import { Controller, Get, HttpCode, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authorize } from '../auth/decorators/authorize.decorator';
import { ProblemResponse } from '../common/openapi/problem.schema';
import { AuditService } from './audit.service';
import { AUDIT_SCAN_WINDOW } from './audit.store';
import { AuditPageDto } from './dto/audit-page.dto';
import { AuditQueryDto } from './dto/audit-query.dto';

const DEFAULT_LIMIT = 50;

@ApiTags('admin')
@Controller('admin/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Authorize({ scopes: ['audit:read'] })
  @HttpCode(200)
  @ApiOperation({
    summary: 'The audit trail, newest first',
    description:
      `Filters combine (all must match) and look at the newest ${AUDIT_SCAN_WINDOW} events. ` +
      'The trail is capped: the oldest events fall off.',
  })
  @ApiOkResponse({ type: AuditPageDto })
  @ApiBadRequestResponse({ type: ProblemResponse })
  async list(@Query() query: AuditQueryDto): Promise<AuditPageDto> {
    const items = await this.audit.list({ ...query, limit: query.limit ?? DEFAULT_LIMIT });
    return { items };
  }
}
