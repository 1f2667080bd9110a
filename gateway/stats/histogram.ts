// A histogram with fixed bucket bounds (Envoy's defaults, in ms): recording is a scan over 19 bounds and
// three additions into preallocated storage, so it costs no allocation on the request path.

/** Envoy's default histogram bucket bounds (ms). */
export const DEFAULT_BUCKETS: readonly number[] = Object.freeze([
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000,
]);

const DEFAULT_BOUNDS = Float64Array.from(DEFAULT_BUCKETS);

export class HistogramStat {
  /** counts[i]: values v with bounds[i-1] < v <= bounds[i]; the last slot holds values above every bound (+Inf). */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly name: string,
    readonly tagExtractedName: string,
    readonly tags: Readonly<Record<string, string>>,
    readonly bounds: Float64Array = DEFAULT_BOUNDS,
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  record(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}
