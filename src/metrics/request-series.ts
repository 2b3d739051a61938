import type { Metric } from 'prom-client';

type Kind = 'counter' | 'histogram';

/** One (method, route) pair: a histogram's buckets, sum and count, and a count per status. */
interface Series {
  readonly labels: { method: string; route: string };
  /** Observations per bucket, not cumulative; the last one is +Inf. */
  readonly buckets: number[];
  sum: number;
  count: number;
  readonly statuses: Map<number, number>;
}

interface Value {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

/** What prom-client's Registry reads from a metric when it renders the text format. */
interface Exposed {
  name: string;
  help: string;
  type: Kind;
  aggregator: 'sum';
  get(): Promise<{ name: string; help: string; type: Kind; aggregator: 'sum'; values: Value[] }>;
  reset(): void;
}

/**
 * The HTTP request counter and duration histogram, kept as plain numbers per (method, route)
 * and rendered by prom-client's registry in the same text as its Counter and Histogram.
 *
 * prom-client validates and hashes the label values on every inc() and observe(), bound series
 * included: ~3 % of a `/health/live` request's CPU (bench/README.md). Here a request costs two
 * Map lookups by strings the router already holds (the method, the route template) and a few
 * additions; labels are built once per series, and the text only when Prometheus scrapes.
 */
export class RequestSeries {
  private readonly byRoute = new Map<string, Map<string, Series>>();

  constructor(private readonly bounds: readonly number[]) {}

  observe(method: string, route: string, status: number, seconds: number): void {
    let byMethod = this.byRoute.get(route);
    if (!byMethod) this.byRoute.set(route, (byMethod = new Map<string, Series>()));
    let series = byMethod.get(method);
    if (!series) byMethod.set(method, (series = this.newSeries(method, route)));
    let bucket = 0;
    while (bucket < this.bounds.length && seconds > this.bounds[bucket]) bucket++;
    series.buckets[bucket]++;
    series.sum += seconds;
    series.count++;
    series.statuses.set(status, (series.statuses.get(status) ?? 0) + 1);
  }

  /** `<name>`: requests by method, route template and status (a prom-client Counter's text). */
  counter(name: string, help: string): Metric {
    return this.exposed(name, help, 'counter', () =>
      this.all().flatMap((s) =>
        [...s.statuses].map(([status, value]) => ({
          value,
          labels: { ...s.labels, status: String(status) },
        })),
      ),
    );
  }

  /** `<name>_bucket`, `_sum`, `_count` by method and route (a prom-client Histogram's text). */
  histogram(name: string, help: string): Metric {
    return this.exposed(name, help, 'histogram', () =>
      this.all().flatMap((s) => {
        let cumulative = 0;
        const buckets = this.bounds.map((le, i) => {
          cumulative += s.buckets[i];
          return { value: cumulative, labels: { le, ...s.labels }, metricName: `${name}_bucket` };
        });
        return [
          ...buckets,
          { value: s.count, labels: { le: '+Inf', ...s.labels }, metricName: `${name}_bucket` },
          { value: s.sum, labels: s.labels, metricName: `${name}_sum` },
          { value: s.count, labels: s.labels, metricName: `${name}_count` },
        ];
      }),
    );
  }

  private all(): Series[] {
    return [...this.byRoute.values()].flatMap((byMethod) => [...byMethod.values()]);
  }

  private newSeries(method: string, route: string): Series {
    const buckets = new Array<number>(this.bounds.length + 1).fill(0);
    return { labels: { method, route }, buckets, sum: 0, count: 0, statuses: new Map() };
  }

  private exposed(name: string, help: string, type: Kind, values: () => Value[]): Metric {
    const metric: Exposed = {
      name,
      help,
      type,
      aggregator: 'sum',
      get: () => Promise.resolve({ name, help, type, aggregator: 'sum', values: values() }),
      reset: () => this.byRoute.clear(),
    };
    // The registry only calls get() and reset(); its type names prom-client's own classes.
    return metric as unknown as Metric;
  }
}
