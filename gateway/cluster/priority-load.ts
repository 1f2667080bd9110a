// Envoy's priority load and panic per priority level (load_balancer_impl.cc, recalculatePerPriorityState):
//   health(P)  = min(100, healthy% × overprovisioning factor 1.4), integer
//   normalized = min(100, Σ health)
//   load(P)    = health(P) × 100 / normalized, taken in priority order until 100 is given out
//   panic(P)   = normalized < 100 and healthy%(P) < healthy_panic_threshold
// With no healthy host anywhere, all load goes to the first level (which is then in panic).

/** Envoy's default overprovisioning factor, as a percentage. */
export const OVERPROVISIONING_FACTOR = 140;

export interface LevelCounts {
  total: number;
  healthy: number;
}

export interface PriorityLoad {
  /** Per level: percent of requests it takes; sums to 100 (or 0 when no level has hosts). */
  readonly load: number[];
  readonly health: number[];
  readonly panic: boolean[];
  readonly normalizedTotalHealth: number;
}

export function computePriorityLoad(levels: readonly LevelCounts[], panicThresholdPercent: number): PriorityLoad {
  const health = levels.map((l) => (l.total === 0 ? 0 : Math.min(100, Math.floor((OVERPROVISIONING_FACTOR * l.healthy) / l.total))));
  const normalized = Math.min(100, health.reduce((a, b) => a + b, 0));
  const panic = levels.map(
    (l) => normalized < 100 && panicThresholdPercent > 0 && (l.total === 0 ? 0 : (100 * l.healthy) / l.total) < panicThresholdPercent,
  );
  const load = levels.map(() => 0);
  if (normalized === 0) {
    const first = levels.findIndex((l) => l.total > 0);
    if (first >= 0) load[first] = 100;
    return { load, health, panic, normalizedTotalHealth: 0 };
  }
  let left = 100;
  for (let i = 0; i < levels.length; i++) {
    load[i] = Math.min(left, Math.floor((health[i] * 100) / normalized));
    left -= load[i];
  }
  // Integer rounding leftovers go to the first level that has any health.
  if (left > 0) load[health.findIndex((h) => h > 0)] += left;
  return { load, health, panic, normalizedTotalHealth: normalized };
}
