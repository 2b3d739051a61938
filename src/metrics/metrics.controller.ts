import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { Public } from '../auth/decorators/public.decorator';
import { cacheControl } from '../common/openapi/response-headers';
import { MetricsService } from './metrics.service';

const METRICS_EXAMPLE = [
  '# HELP tessera_http_requests_total HTTP requests answered, by method, route template and status code',
  '# TYPE tessera_http_requests_total counter',
  'tessera_http_requests_total{method="POST",route="/auth/login",status="200"} 1027',
  'tessera_http_requests_total{method="POST",route="/auth/login",status="401"} 12',
  '# HELP tessera_audit_events_total Audit events recorded (logins, refreshes, reuse detections, lockouts, ...), by event',
  '# TYPE tessera_audit_events_total counter',
  'tessera_audit_events_total{event="LOGIN_SUCCESS"} 1027',
  '',
].join('\n');

@ApiTags('health')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  // Public per the contract: counts and timings only, no user data. Restrict it at the proxy
  // when the scrape endpoint should not face the internet.
  @Public()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    operationId: 'getMetrics',
    summary: 'Prometheus metrics (text exposition format)',
    description:
      'For a Prometheus scrape. Public: restrict it at the proxy if it faces the internet.',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'Process, HTTP and audit-event metrics',
    schema: { type: 'string', example: METRICS_EXAMPLE },
    headers: cacheControl('no-store', 'Never cached'),
  })
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    void reply.type(this.metrics.contentType);
    return this.metrics.text();
  }
}
