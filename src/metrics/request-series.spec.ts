import { Counter, Histogram, Registry } from 'prom-client';
import { RequestSeries } from './request-series';

const BOUNDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
const COUNTER = ['tessera_http_requests_total', 'Requests'] as const;
const HISTOGRAM = ['tessera_http_request_duration_seconds', 'Durations'] as const;

/** Method, route, status, seconds: bucket edges, beyond the last bound, several series. */
const REQUESTS: [string, string, number, number][] = [
  ['GET', '/auth/me', 200, 0.0004],
  ['GET', '/auth/me', 200, 0.001],
  ['GET', '/auth/me', 401, 0.0011],
  ['POST', '/auth/login', 200, 0.087],
  ['GET', '/users/:id', 404, 2.5],
  ['POST', '/auth/login', 401, 0.25],
  ['GET', 'unmatched', 404, 0.00001],
  ['GET', '/auth/me', 200, 0.0099],
];

/** The text prom-client's own Counter and Histogram give for the same requests. */
function promClientText(): Promise<string> {
  const registry = new Registry();
  const counter = new Counter({
    name: COUNTER[0],
    help: COUNTER[1],
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const histogram = new Histogram({
    name: HISTOGRAM[0],
    help: HISTOGRAM[1],
    labelNames: ['method', 'route'],
    buckets: BOUNDS,
    registers: [registry],
  });
  for (const [method, route, status, seconds] of REQUESTS) {
    counter.inc({ method, route, status: String(status) });
    histogram.observe({ method, route }, seconds);
  }
  return registry.metrics();
}

function requestSeriesText(): Promise<string> {
  const registry = new Registry();
  const series = new RequestSeries(BOUNDS);
  registry.registerMetric(series.counter(...COUNTER));
  registry.registerMetric(series.histogram(...HISTOGRAM));
  for (const [method, route, status, seconds] of REQUESTS) {
    series.observe(method, route, status, seconds);
  }
  return registry.metrics();
}

/** Prometheus does not care about the order of series: compare them as a sorted list. */
const lines = (text: string) => text.split('\n').sort();

describe('RequestSeries', () => {
  it('renders exactly the samples of prom-client Counter and Histogram for the same requests', async () => {
    expect(lines(await requestSeriesText())).toEqual(lines(await promClientText()));
  });

  it('starts from zero again when the registry resets its metrics', async () => {
    const registry = new Registry();
    const series = new RequestSeries(BOUNDS);
    registry.registerMetric(series.counter(...COUNTER));
    series.observe('GET', '/auth/me', 200, 0.002);
    registry.resetMetrics();
    expect(await registry.metrics()).not.toContain('route="/auth/me"');
  });
});
