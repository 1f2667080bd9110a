// Picks the upstream cluster of a route: its one `cluster`, or one of `weighted_clusters` with a
// probability proportional to its weight (a cluster of weight 0 is never picked).
import type { RouteAction } from '../config/types.js';

/** A uniform random number in [0, 1), like Math.random; injectable so tests can pin the draw. */
export type RandomSource = () => number;

export function compileClusterPicker(action: Pick<RouteAction, 'cluster' | 'weighted_clusters'>, random: RandomSource = Math.random): () => string {
  if (action.cluster !== undefined) {
    const cluster = action.cluster;
    return () => cluster;
  }
  const clusters = action.weighted_clusters?.clusters ?? [];
  const names = clusters.map((c) => c.name);
  // upper[i] = sum of weights 0..i: a draw r in [0, total) picks the first i with r < upper[i]
  const upper = new Float64Array(clusters.length);
  let total = 0;
  clusters.forEach((c, i) => (upper[i] = total += c.weight));
  if (!(total > 0)) throw new Error('weighted_clusters: the weights must sum to more than 0');
  const last = names.length - 1;
  return () => {
    const r = Math.floor(random() * total);
    for (let i = 0; i < last; i++) if (r < upper[i]!) return names[i]!;
    return names[last]!;
  };
}
