import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import { RequestSeries } from './request-series';

/**
 * Prometheus metrics of this app. A registry of its own, not prom-client's global one, so several
 * app instances in one process (the e2e tests) never share or double-register series.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  /** Requests by method, route template and status, and their durations (request-series.ts). */
  private readonly requests = new RequestSeries([
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
  ]);

  private readonly auditEvents = new Counter({
    name: 'tessera_audit_events_total',
    help: 'Audit events recorded (logins, refreshes, reuse detections, lockouts, ...), by event',
    labelNames: ['event'] as const,
    registers: [], // registered after the request metrics: the order of the text
  });

  constructor() {
    this.registry.registerMetric(
      this.requests.counter(
        'tessera_http_requests_total',
        'HTTP requests answered, by method, route template and status code',
      ),
    );
    this.registry.registerMetric(
      this.requests.histogram(
        'tessera_http_request_duration_seconds',
        'Time to answer an HTTP request, by method and route template',
      ),
    );
    this.registry.registerMetric(this.auditEvents);
    collectDefaultMetrics({ register: this.registry, prefix: 'tessera_' });
  }

  /** `route` is the route template (`/users/:id`), never the raw path: bounded label values. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requests.observe(method, route, status, seconds);
  }

  countAuditEvent(event: string): void {
    this.auditEvents.inc({ event });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
