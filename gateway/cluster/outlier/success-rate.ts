// Envoy's success-rate outlier rule: among hosts with at least `requestVolume` requests in the interval, when
// there are at least `minimumHosts` of them, a host whose success rate is below mean − stdevFactor × stdev
// is an outlier.
import type { Host } from '../host.js';

export interface HostRate {
  readonly host: Host;
  /** Requests in the interval. */
  readonly total: number;
  /** Success rate in percent. */
  readonly rate: number;
}

export interface RateOutlier {
  readonly host: Host;
  readonly rate: number;
  readonly threshold: number;
  readonly mean: number;
  readonly hosts: number;
}

export function successRateOutliers(rates: readonly HostRate[], minimumHosts: number, requestVolume: number, stdevFactor: number): RateOutlier[] {
  const valid = rates.filter((r) => r.total >= requestVolume);
  if (valid.length < minimumHosts || valid.length === 0) return [];
  const mean = valid.reduce((sum, r) => sum + r.rate, 0) / valid.length;
  const variance = valid.reduce((sum, r) => sum + (r.rate - mean) ** 2, 0) / valid.length;
  const threshold = mean - stdevFactor * Math.sqrt(variance);
  return valid.filter((r) => r.rate < threshold).map((r) => ({ host: r.host, rate: r.rate, threshold, mean, hosts: valid.length }));
}
