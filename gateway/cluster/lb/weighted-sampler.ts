// Weighted random choice in O(1) per draw (Vose's alias method), for the random and least_request policies.
import type { Host } from '../host.js';
import { allExcluded } from './load-balancer.js';

// Draws tried before an exclusion falls back to a scan (only reached when excluded hosts hold most weight).
const MAX_REDRAWS = 8;

export class WeightedSampler {
  private hosts: readonly Host[] = [];
  /** Probability of keeping column i rather than taking its alias. */
  private keep = new Float64Array(0);
  private alias = new Int32Array(0);

  reset(hosts: readonly Host[]): void {
    const n = hosts.length;
    this.hosts = hosts;
    this.keep = new Float64Array(n);
    this.alias = new Int32Array(n);
    let total = 0;
    for (const host of hosts) total += host.weight;
    // Each weight scaled so that the average column holds exactly 1.
    const scaled = new Float64Array(n);
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < n; i++) {
      scaled[i] = (hosts[i].weight * n) / total;
      (scaled[i] < 1 ? small : large).push(i);
    }
    while (small.length > 0 && large.length > 0) {
      const s = small.pop()!;
      const l = large.pop()!;
      this.keep[s] = scaled[s];
      this.alias[s] = l;
      scaled[l] += scaled[s] - 1;
      (scaled[l] < 1 ? small : large).push(l);
    }
    // What is left holds (up to rounding) exactly 1.
    for (const i of small) this.keep[i] = 1;
    for (const i of large) this.keep[i] = 1;
  }

  /** A host drawn with probability weight / total weight. Only call it when there is at least one host. */
  draw(): Host {
    const u = Math.random() * this.hosts.length;
    const column = Math.floor(u);
    return this.hosts[u - column < this.keep[column] ? column : this.alias[column]];
  }

  /** A weighted draw among the hosts not in `exclude`; null when every host is in it. */
  drawAvoiding(exclude: ReadonlySet<Host>): Host | null {
    const hosts = this.hosts;
    if (allExcluded(hosts, exclude)) return null;
    for (let i = 0; i < MAX_REDRAWS; i++) {
      const host = this.draw();
      if (!exclude.has(host)) return host;
    }
    // The excluded hosts carry nearly all the weight: take the next allowed host from a random start.
    const start = Math.floor(Math.random() * hosts.length);
    for (let i = 0; i < hosts.length; i++) {
      const host = hosts[(start + i) % hosts.length];
      if (!exclude.has(host)) return host;
    }
    return null;
  }
}
