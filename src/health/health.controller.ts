import { Controller, Get } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { Public } from '../auth/decorators/public.decorator';
import { AppErrorCode } from '../common/errors/app-error';
import { ApiProblem } from '../common/openapi/api-problem.decorator';
import { cacheControl } from '../common/openapi/response-headers';
import { LivenessDto, ReadinessDto } from './dto/health.dto';
import { StoreHealthIndicator } from './store.health';

/**
 * Readiness. Liveness (`GET /health/live`) is a plain Fastify route (liveness.route.ts); its
 * answer's schema is registered here, where the document lists the health models.
 */
@ApiTags('health')
@ApiExtraModels(LivenessDto)
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly store: StoreHealthIndicator,
  ) {}

  @Get('ready')
  @Public()
  // Swagger: documented below, as the problem a 503 really is; the no-cache header stays.
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({
    operationId: 'getReadiness',
    summary: 'Readiness: the store answers',
    description: 'Send traffic only while this answers 200.',
  })
  @ApiOkResponse({
    description: 'Ready',
    type: ReadinessDto,
    headers: cacheControl('no-cache, no-store, must-revalidate', 'Never cached'),
  })
  @ApiProblem('Not ready: the store (Redis) cannot answer', {
    code: AppErrorCode.StoreUnavailable,
    detail: 'Not ready: the store is unavailable.',
  })
  ready(): Promise<HealthCheckResult> {
    return this.health.check([() => this.store.check('store')]);
  }
}
