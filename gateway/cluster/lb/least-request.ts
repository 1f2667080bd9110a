// lb_policy least_request: power of `choice_count` choices.
// Candidates are drawn by weight and the one with the lowest activeRequests / weight wins (the first drawn on
// a tie). With equal weights this is classic P2C on active requests. With unequal weights idle hosts share
// traffic exactly by weight, and under load in-flight requests settle in proportion to weight. (Envoy runs
// an EDF schedule over weight / (active + 1) instead; this keeps picks O(choice_count) with the same aim.)
import type { Host } from '../host.js';
import type { LoadBalancer } from './load-balancer.js';
import { WeightedSampler } from './weighted-sampler.js';

export class LeastRequestLb implements LoadBalancer {
  private readonly sampler = new WeightedSampler();
  private empty = true;

  constructor(private readonly choiceCount: number) {}

  rebuild(hosts: readonly Host[]): void {
    this.sampler.reset(hosts);
    this.empty = hosts.length === 0;
  }

  pick(_hashKey: number | undefined, exclude: ReadonlySet<Host> | null): Host | null {
    if (this.empty) return null;
    let best: Host | null = null;
    let bestLoad = Infinity;
    let firstDrawn: Host | null = null;
    for (let i = 0; i < this.choiceCount; i++) {
      const host = this.sampler.draw();
      firstDrawn ??= host;
      if (exclude !== null && exclude.has(host)) continue;
      const load = host.activeRequests / host.weight;
      if (load < bestLoad) {
        best = host;
        bestLoad = load;
      }
    }
    if (best !== null) return best;
    // Every candidate was excluded.
    return this.sampler.drawAvoiding(exclude!) ?? firstDrawn;
  }
}
