// Quantiles estimated from bucket counts, for the text and JSON /stats (Prometheus gets the buckets
// themselves). Linear interpolation inside the bucket that holds the rank; values above the last bound are
// reported as that bound (the bucket has no upper edge).
import type { HistogramSnapshot } from './snapshot.js';

/** The quantiles Envoy's /stats prints, as fractions. */
export const QUANTILES: readonly number[] = [0, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];

/** The estimated q-quantile (0..1), or NaN when nothing was recorded. */
export function quantile(h: HistogramSnapshot, q: number): number {
  if (h.count === 0) return NaN;
  const rank = q * h.count;
  let below = 0;
  for (let i = 0; i < h.buckets.length; i++) {
    const n = h.buckets[i]!;
    if (n === 0 || below + n < rank) {
      below += n;
      continue;
    }
    if (i === h.bounds.length) return h.bounds[i - 1]!;
    const lower = i === 0 ? 0 : h.bounds[i - 1]!;
    const upper = h.bounds[i]!;
    return lower + ((upper - lower) * (rank - below)) / n;
  }
  return h.bounds[h.bounds.length - 1]!;
}
