// Envoy's /stats text: `name: value` per counter and gauge (sorted), then one line per histogram with its
// quantiles estimated from the buckets, `name: P0(v) P25(v) ... P100(v)`.
import { QUANTILES, quantile } from './quantiles.js';
import { byName, type StatsSnapshot } from './snapshot.js';

export function renderText(snap: StatsSnapshot): string {
  const lines: string[] = [];
  for (const s of [...snap.counters, ...snap.gauges].sort(byName)) lines.push(`${s.name}: ${s.value}\n`);
  for (const h of snap.histograms) {
    if (h.count === 0) {
      lines.push(`${h.name}: No recorded values\n`);
      continue;
    }
    const parts = QUANTILES.map((q) => `P${formatQuantile(q)}(${formatValue(quantile(h, q))})`);
    lines.push(`${h.name}: ${parts.join(' ')}\n`);
  }
  return lines.join('');
}

/** 0.999 → "99.9", 0.5 → "50". */
export function formatQuantile(q: number): string {
  return String(Math.round(q * 1000) / 10);
}

/** Four significant digits, as Envoy prints them. */
export function formatValue(v: number): string {
  return Number.isNaN(v) ? 'nan' : String(Number(v.toPrecision(4)));
}
