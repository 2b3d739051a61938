import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics of this app. A registry of its own, not prom-client's global one, so several
 * app instances in one process (the e2e tests) never share or double-register series.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  private readonly requests = new Counter({
    name: 'tessera_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  private readonly duration = new Histogram({
    name: 'tessera_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method and route template',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });

  private readonly auditEvents = new Counter({
    name: 'tessera_audit_events_total',
    help: 'Audit events recorded (logins, refreshes, reuse detections, lockouts, ...), by event',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });

  /**
   * The series of each (method, route, status) seen, bound once: prom-client hashes a label
   * object on every inc/observe, work done 20 000 times a second for a handful of series.
   */
  private readonly series = new Map<string, { count: () => void; time: (s: number) => void }>();

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'tessera_' });
  }

  /** `route` is the route template (`/users/:id`), never the raw path: bounded label values. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${status} ${route}`;
    let series = this.series.get(key);
    if (!series) {
      const counter = this.requests.labels(method, route, String(status));
      const histogram = this.duration.labels(method, route);
      series = { count: () => counter.inc(), time: (s) => histogram.observe(s) };
      this.series.set(key, series);
    }
    series.count();
    series.time(seconds);
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
