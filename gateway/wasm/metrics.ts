// proxy_define_metric and friends. A module's counters, gauges and histograms are stats of the gateway's store,
// in the stats scope of the plugin that defined them (`http.<stat_prefix>.<filter name>.<metric name>`, tagged
// stat_prefix; visible at /stats and /stats/prometheus). Ids are per VM; defining a name twice gives the same id.
import type { Counter, FilterStats, Gauge, Histogram } from '../../sdk/filter.js';
import { MetricType, Status } from './abi.js';

type Metric =
  | { readonly type: MetricType.Counter; readonly stat: Counter }
  | { readonly type: MetricType.Gauge; readonly stat: Gauge }
  | { readonly type: MetricType.Histogram; readonly stat: Histogram };

export class WasmMetrics {
  private readonly byName = new Map<string, number>();
  private readonly byId: Metric[] = [];

  /** The id of the metric, defining it on first use; undefined for an unknown type. */
  define(type: number, name: string, stats: FilterStats): number | undefined {
    if (type !== MetricType.Counter && type !== MetricType.Gauge && type !== MetricType.Histogram) return undefined;
    const key = `${type}:${name}`;
    const known = this.byName.get(key);
    if (known !== undefined) return known;
    // Ids start at 1, as Envoy's are never 0: SDKs (ours) read 0 as "not defined".
    const id = this.byId.length + 1;
    this.byId.push(
      type === MetricType.Counter
        ? { type, stat: stats.counter(name) }
        : type === MetricType.Gauge
          ? { type, stat: stats.gauge(name) }
          : { type, stat: stats.histogram(name) },
    );
    this.byName.set(key, id);
    return id;
  }

  increment(id: number, delta: bigint): Status {
    const m = this.byId[id - 1];
    if (m === undefined) return Status.NotFound;
    if (m.type === MetricType.Counter) {
      if (delta < 0n) return Status.BadArgument;
      m.stat.inc(Number(delta));
      return Status.Ok;
    }
    if (m.type === MetricType.Gauge) {
      m.stat.add(Number(delta));
      return Status.Ok;
    }
    return Status.BadArgument;
  }

  record(id: number, value: bigint): Status {
    const m = this.byId[id - 1];
    if (m === undefined) return Status.NotFound;
    if (m.type === MetricType.Counter) {
      // Envoy adds a recorded value to a counter.
      if (value < 0n) return Status.BadArgument;
      m.stat.inc(Number(value));
    } else if (m.type === MetricType.Gauge) m.stat.set(Number(value));
    else m.stat.record(Number(value));
    return Status.Ok;
  }

  /** A counter's or gauge's value; histograms cannot be read back (as in Envoy). */
  get(id: number): bigint | undefined {
    const m = this.byId[id - 1];
    if (m === undefined || m.type === MetricType.Histogram) return undefined;
    return BigInt(m.stat.value);
  }
}
