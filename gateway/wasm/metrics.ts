// proxy_define_metric and friends. Counters are the gateway's counters, in the stats scope of the
// plugin that defined them (`http.<stat_prefix>.<filter name>.<metric name>`, visible at /stats).
// Gauges and histograms keep their value in the host only: the stats contract of filters has
// counters only (documented in docs/wasm.md). Ids are per VM; defining a name twice gives the same id.
import type { Counter, FilterStats } from '../../sdk/filter.js';
import { MetricType, Status } from './abi.js';

interface Metric {
  readonly type: MetricType;
  readonly counter: Counter | null;
  /** Gauge value, or the last value recorded in a histogram. */
  value: bigint;
}

export class WasmMetrics {
  private readonly byName = new Map<string, number>();
  private readonly byId: Metric[] = [];

  /** The id of the metric, defining it on first use; undefined for an unknown type. */
  define(type: number, name: string, stats: FilterStats): number | undefined {
    if (type !== MetricType.Counter && type !== MetricType.Gauge && type !== MetricType.Histogram) return undefined;
    const key = `${type}:${name}`;
    const known = this.byName.get(key);
    if (known !== undefined) return known;
    const id = this.byId.length;
    this.byId.push({ type, counter: type === MetricType.Counter ? stats.counter(name) : null, value: 0n });
    this.byName.set(key, id);
    return id;
  }

  increment(id: number, delta: bigint): Status {
    const m = this.byId[id];
    if (m === undefined) return Status.NotFound;
    if (m.type === MetricType.Counter) {
      if (delta < 0n) return Status.BadArgument;
      m.counter!.inc(Number(delta));
      return Status.Ok;
    }
    if (m.type === MetricType.Gauge) {
      m.value += delta;
      return Status.Ok;
    }
    return Status.BadArgument;
  }

  record(id: number, value: bigint): Status {
    const m = this.byId[id];
    if (m === undefined) return Status.NotFound;
    if (m.type === MetricType.Counter) {
      // Envoy adds a recorded value to a counter.
      if (value < 0n) return Status.BadArgument;
      m.counter!.inc(Number(value));
    } else m.value = value;
    return Status.Ok;
  }

  get(id: number): bigint | undefined {
    const m = this.byId[id];
    if (m === undefined || m.type === MetricType.Histogram) return undefined;
    return m.type === MetricType.Counter ? BigInt(m.counter!.value) : m.value;
  }
}
