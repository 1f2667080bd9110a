// lb_policy random: weighted random choice.
import type { Host } from '../host.js';
import type { LoadBalancer } from './load-balancer.js';
import { WeightedSampler } from './weighted-sampler.js';

export class RandomLb implements LoadBalancer {
  private readonly sampler = new WeightedSampler();
  private empty = true;

  rebuild(hosts: readonly Host[]): void {
    this.sampler.reset(hosts);
    this.empty = hosts.length === 0;
  }

  pick(_hashKey: number | undefined, exclude: ReadonlySet<Host> | null): Host | null {
    if (this.empty) return null;
    const host = this.sampler.draw();
    if (exclude === null || !exclude.has(host)) return host;
    return this.sampler.drawAvoiding(exclude) ?? host;
  }
}
