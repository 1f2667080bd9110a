// The Prometheus text exposition format 0.0.4: one family per tag-extracted name (`wasmgate_` + the name with
// every character outside [a-zA-Z0-9_] made '_'), its `# TYPE` line, then one sample per stat with its tags
// as labels. Histograms give cumulative `_bucket{le=...}` samples up to `+Inf`, `_sum` and `_count`, in the
// unit they were recorded in (ms, as Envoy exports them).
import type { HistogramSnapshot, StatsSnapshot, ValueSnapshot } from './snapshot.js';
import type { StatTags } from './stat-name.js';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
const NAMESPACE = 'wasmgate_';

type Family = { type: 'counter' | 'gauge'; stats: ValueSnapshot[] } | { type: 'histogram'; stats: HistogramSnapshot[] };

export function renderPrometheus(snap: StatsSnapshot): string {
  const families = new Map<string, Family>();
  const add = (type: Family['type'], s: ValueSnapshot | HistogramSnapshot): void => {
    const name = metricName(s.tagExtractedName);
    const f = families.get(name);
    if (f === undefined) families.set(name, { type, stats: [s] } as Family);
    // Two kinds of stat under one name cannot share a family; the first kind keeps it (no such pair exists today).
    else if (f.type === type) (f.stats as (ValueSnapshot | HistogramSnapshot)[]).push(s);
  };
  for (const c of snap.counters) add('counter', c);
  for (const g of snap.gauges) add('gauge', g);
  for (const h of snap.histograms) add('histogram', h);

  const out: string[] = [];
  for (const name of [...families.keys()].sort()) {
    const f = families.get(name)!;
    out.push(`# TYPE ${name} ${f.type}\n`);
    if (f.type !== 'histogram') {
      for (const s of f.stats) out.push(`${name}${labels(s.tags)} ${formatNumber(s.value)}\n`);
      continue;
    }
    for (const h of f.stats) {
      let cumulative = 0;
      for (let i = 0; i < h.bounds.length; i++) {
        cumulative += h.buckets[i]!;
        out.push(`${name}_bucket${labels(h.tags, formatNumber(h.bounds[i]!))} ${cumulative}\n`);
      }
      out.push(`${name}_bucket${labels(h.tags, '+Inf')} ${h.count}\n`);
      out.push(`${name}_sum${labels(h.tags)} ${formatNumber(h.sum)}\n`);
      out.push(`${name}_count${labels(h.tags)} ${h.count}\n`);
    }
  }
  return out.join('');
}

export function metricName(tagExtractedName: string): string {
  return NAMESPACE + sanitize(tagExtractedName);
}

function sanitize(name: string): string {
  const s = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(s) ? `_${s}` : s;
}

function labels(tags: StatTags, le?: string): string {
  const parts: string[] = [];
  for (const k of Object.keys(tags).sort()) parts.push(`${sanitize(k)}="${escapeLabel(tags[k]!)}"`);
  if (le !== undefined) parts.push(`le="${le}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/** Label values escape backslash, double quote and line feed. */
export function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : Number.isNaN(n) ? 'NaN' : n > 0 ? '+Inf' : '-Inf';
}
