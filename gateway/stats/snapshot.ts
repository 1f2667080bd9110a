// A plain-JSON picture of a stats store: what the admin renders, and what workers send their primary to be
// summed (mergeSnapshots). Every list is sorted by name.
import type { StatTags } from './stat-name.js';

export interface ValueSnapshot {
  readonly name: string;
  readonly tagExtractedName: string;
  readonly tags: StatTags;
  readonly value: number;
}

export interface HistogramSnapshot {
  readonly name: string;
  readonly tagExtractedName: string;
  readonly tags: StatTags;
  /** Upper bounds of the finite buckets (ms). */
  readonly bounds: readonly number[];
  /** Per bucket, not cumulative; one more than bounds (the last is +Inf). */
  readonly buckets: readonly number[];
  readonly sum: number;
  readonly count: number;
}

export interface StatsSnapshot {
  readonly counters: readonly ValueSnapshot[];
  readonly gauges: readonly ValueSnapshot[];
  readonly histograms: readonly HistogramSnapshot[];
}

/** Sums snapshots stat by stat (counters, gauges, and histogram buckets, sums and counts). */
export function mergeSnapshots(snaps: readonly StatsSnapshot[]): StatsSnapshot {
  const counters = new Map<string, ValueSnapshot>();
  const gauges = new Map<string, ValueSnapshot>();
  const histograms = new Map<string, HistogramSnapshot>();
  for (const s of snaps) {
    for (const c of s.counters) addValue(counters, c);
    for (const g of s.gauges) addValue(gauges, g);
    for (const h of s.histograms) {
      const seen = histograms.get(h.name);
      if (seen === undefined) {
        histograms.set(h.name, { ...h, bounds: [...h.bounds], buckets: [...h.buckets] });
        continue;
      }
      if (seen.bounds.length !== h.bounds.length || seen.bounds.some((b, i) => b !== h.bounds[i])) {
        throw new Error(`histogram "${h.name}": snapshots with different bucket bounds cannot be merged`);
      }
      histograms.set(h.name, { ...seen, buckets: seen.buckets.map((n, i) => n + h.buckets[i]!), sum: seen.sum + h.sum, count: seen.count + h.count });
    }
  }
  return { counters: sorted(counters), gauges: sorted(gauges), histograms: sorted(histograms) };
}

/** The stats whose flat name matches `filter` (Envoy's /stats?filter=). */
export function filterSnapshot(snap: StatsSnapshot, filter: RegExp | null): StatsSnapshot {
  if (filter === null) return snap;
  const keep = (s: { name: string }): boolean => filter.test(s.name);
  return { counters: snap.counters.filter(keep), gauges: snap.gauges.filter(keep), histograms: snap.histograms.filter(keep) };
}

function addValue(into: Map<string, ValueSnapshot>, v: ValueSnapshot): void {
  const seen = into.get(v.name);
  into.set(v.name, seen === undefined ? v : { ...seen, value: seen.value + v.value });
}

function sorted<T extends { name: string }>(m: Map<string, T>): T[] {
  return [...m.values()].sort(byName);
}

export function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
