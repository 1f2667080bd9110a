// The gateway's one stats store: counters, gauges and histograms, each with its Envoy-style flat name and the
// tags taken out of it at creation (see stat-name.ts). A stat is created once, at config load, and then
// recorded without allocation. The store lives as long as the process: a rebuilt cluster or connection
// manager asks for its stats by name again and continues the same ones.
import type { Counter, FilterStats, Gauge } from '../../sdk/filter.js';
import { HistogramStat } from './histogram.js';
import { byName, type StatsSnapshot } from './snapshot.js';
import { statName, type StatName, type StatTags } from './stat-name.js';

export class CounterStat implements Counter {
  value = 0;
  constructor(
    readonly name: string,
    readonly tagExtractedName: string,
    readonly tags: StatTags,
  ) {}
  inc(by = 1): void {
    this.value += by;
  }
}

export class GaugeStat implements Gauge {
  value = 0;
  /** The object this gauge describes now, when it describes one live object (see claim). */
  private owner: object | null = null;
  constructor(
    readonly name: string,
    readonly tagExtractedName: string,
    readonly tags: StatTags,
  ) {}
  add(by: number): void {
    this.value += by;
  }
  set(v: number): void {
    this.value = v;
  }
  /**
   * From now on only `owner` may setBy() the gauge: a cluster rebuilt by a reload claims its gauges when it
   * starts serving, so that neither a build that is then refused nor the old cluster draining overwrites them.
   */
  claim(owner: object): void {
    this.owner = owner;
  }
  release(owner: object): void {
    if (this.owner === owner) this.owner = null;
  }
  /** set(), when `by` owns the gauge or no one does. */
  setBy(by: object, v: number): void {
    if (this.owner === null || this.owner === by) this.value = v;
  }
}

export { HistogramStat };

/** Stats under a common prefix (`cluster.api.`), with the tags that prefix carries (cluster="api"). */
export class StatsScope implements FilterStats {
  constructor(
    /** The store the scope belongs to (the wasm filter files its plugin's stats at the store's root). */
    readonly store: StatsStore,
    /** Flat prefix, '' or ending in '.'. */
    readonly prefix: string,
    /** The prefix without tag values. */
    private readonly extractedPrefix: string,
    readonly tags: StatTags,
  ) {}

  counter(name: string): CounterStat {
    return this.store.counterFor(statName(this.prefix, this.extractedPrefix, this.tags, name));
  }

  gauge(name: string): GaugeStat {
    return this.store.gaugeFor(statName(this.prefix, this.extractedPrefix, this.tags, name));
  }

  histogram(name: string): HistogramStat {
    return this.store.histogramFor(statName(this.prefix, this.extractedPrefix, this.tags, name));
  }

  /**
   * A child scope. With a tag, `scope('cluster', 'cluster', 'api')` is `cluster.api.` tagged cluster="api";
   * without, `scope('rbac')` is `rbac.` and part of every stat's tag-extracted name.
   */
  scope(segment: string, tagName?: string, tagValue?: string): StatsScope {
    if (tagName === undefined || tagValue === undefined) {
      return new StatsScope(this.store, `${this.prefix}${segment}.`, `${this.extractedPrefix}${segment}.`, this.tags);
    }
    return new StatsScope(this.store, `${this.prefix}${segment}.${tagValue}.`, `${this.extractedPrefix}${segment}.`, { ...this.tags, [tagName]: tagValue });
  }
}

export class StatsStore {
  private readonly counters = new Map<string, CounterStat>();
  private readonly gauges = new Map<string, GaugeStat>();
  private readonly histograms = new Map<string, HistogramStat>();
  private readonly root = new StatsScope(this, '', '', {});

  /** A stat by flat name, without scope tags (only a response code suffix becomes a tag). */
  counter(name: string): CounterStat {
    return this.root.counter(name);
  }

  gauge(name: string): GaugeStat {
    return this.root.gauge(name);
  }

  histogram(name: string): HistogramStat {
    return this.root.histogram(name);
  }

  scope(segment: string, tagName?: string, tagValue?: string): StatsScope {
    return this.root.scope(segment, tagName, tagValue);
  }

  counterFor(id: StatName): CounterStat {
    let c = this.counters.get(id.name);
    if (c === undefined) this.counters.set(id.name, (c = new CounterStat(id.name, id.tagExtractedName, id.tags)));
    return c;
  }

  gaugeFor(id: StatName): GaugeStat {
    let g = this.gauges.get(id.name);
    if (g === undefined) this.gauges.set(id.name, (g = new GaugeStat(id.name, id.tagExtractedName, id.tags)));
    return g;
  }

  histogramFor(id: StatName): HistogramStat {
    let h = this.histograms.get(id.name);
    if (h === undefined) this.histograms.set(id.name, (h = new HistogramStat(id.name, id.tagExtractedName, id.tags)));
    return h;
  }

  /** Every stat, as plain JSON (sorted by name). */
  snapshot(): StatsSnapshot {
    const value = (s: CounterStat | GaugeStat) => ({ name: s.name, tagExtractedName: s.tagExtractedName, tags: s.tags, value: s.value });
    return {
      counters: [...this.counters.values()].map(value).sort(byName),
      gauges: [...this.gauges.values()].map(value).sort(byName),
      histograms: [...this.histograms.values()]
        .map((h) => ({
          name: h.name,
          tagExtractedName: h.tagExtractedName,
          tags: h.tags,
          bounds: [...h.bounds],
          buckets: [...h.counts],
          sum: h.sum,
          count: h.count,
        }))
        .sort(byName),
    };
  }

  /** The value of a counter or gauge by flat name (tests, diagnostics). */
  value(name: string): number | undefined {
    return (this.counters.get(name) ?? this.gauges.get(name))?.value;
  }

  /** Counters and gauges as name → value, sorted by name (tests, diagnostics). */
  values(): Record<string, number> {
    const out: Record<string, number> = {};
    const names = [...this.counters.keys(), ...this.gauges.keys()].sort();
    for (const n of names) out[n] = this.value(n)!;
    return out;
  }
}
