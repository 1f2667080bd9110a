// Envoy's /stats?format=json: `{ stats: [ {name, value}..., {histograms: {supported_quantiles,
// computed_quantiles: [{name, values: [{cumulative}]}]}} ] }`. Quantiles are percents, as Envoy's; a value is
// null when the histogram recorded nothing. Envoy also gives an `interval` value (since the last flush):
// this store has no flush interval, so only `cumulative` is there.
import { QUANTILES, quantile } from './quantiles.js';
import { byName, type StatsSnapshot } from './snapshot.js';

export interface JsonStats {
  stats: ({ name: string; value: number } | { histograms: JsonHistograms })[];
}

export interface JsonHistograms {
  supported_quantiles: number[];
  computed_quantiles: { name: string; values: { cumulative: number | null }[] }[];
}

export function renderJson(snap: StatsSnapshot): JsonStats {
  const stats: JsonStats['stats'] = [...snap.counters, ...snap.gauges].sort(byName).map((s) => ({ name: s.name, value: s.value }));
  if (snap.histograms.length > 0) {
    stats.push({
      histograms: {
        supported_quantiles: QUANTILES.map((q) => Math.round(q * 1000) / 10),
        computed_quantiles: snap.histograms.map((h) => ({
          name: h.name,
          values: QUANTILES.map((q) => {
            const v = quantile(h, q);
            return { cumulative: Number.isNaN(v) ? null : v };
          }),
        })),
      },
    });
  }
  return { stats };
}
