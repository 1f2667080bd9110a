// lb_policy ring_hash: a Ketama-style consistent hash ring. Each host owns points `hash("<host>_<i>")` in
// proportion to its weight; a request goes to the owner of the first point at or after its hash key.
// Sizing: every unit of weight gets minimum_ring_size / (total weight of the configured endpoints) points,
// so the full configured set fills about minimum_ring_size points (maximum_ring_size caps it), as in Envoy.
// Unlike Envoy, the count does not follow the current host set: Envoy rescales every host when one leaves,
// which also moves ~10% of the other hosts' keys; here a host leaving or coming back moves only its own keys.
import type { Host } from '../host.js';
import { hashString } from '../hash.js';
import { allExcluded, type LoadBalancer } from './load-balancer.js';

export class RingHashLb implements LoadBalancer {
  private hosts: readonly Host[] = [];
  /** Ring point hashes, ascending. */
  private points = new Uint32Array(0);
  /** owners[i] owns points[i]. */
  private owners: Host[] = [];

  constructor(
    private readonly minimumRingSize: number,
    private readonly maximumRingSize: number,
    /** Sum of the configured endpoints' weights (a STRICT_DNS endpoint counts once, whatever it resolves to). */
    private readonly configuredWeight: number,
  ) {}

  /** Number of points on the ring (for tests and the admin page). */
  get size(): number {
    return this.points.length;
  }

  rebuild(hosts: readonly Host[]): void {
    this.hosts = hosts;
    const n = hosts.length;
    if (n === 0) {
      this.points = new Uint32Array(0);
      this.owners = [];
      return;
    }
    let totalWeight = 0;
    for (const host of hosts) totalWeight += host.weight;
    const pointsPerWeight = Math.min(this.minimumRingSize / this.configuredWeight, this.maximumRingSize / totalWeight);

    // Each point is packed as hash * n + host index into one double (exact below 2^53, i.e. up to 2^21 hosts),
    // so a plain numeric sort orders the ring with no per-point objects.
    const packed: number[] = [];
    for (let h = 0; h < n; h++) {
      const name = hosts[h].hostname;
      const points = Math.max(1, Math.round(pointsPerWeight * hosts[h].weight));
      for (let i = 0; i < points; i++) packed.push(hashString(`${name}_${i}`) * n + h);
    }
    const sorted = Float64Array.from(packed).sort();
    this.points = new Uint32Array(sorted.length);
    this.owners = new Array<Host>(sorted.length);
    for (let i = 0; i < sorted.length; i++) {
      const owner = sorted[i] % n;
      this.points[i] = (sorted[i] - owner) / n;
      this.owners[i] = hosts[owner];
    }
  }

  pick(hashKey: number | undefined, exclude: ReadonlySet<Host> | null): Host | null {
    const size = this.points.length;
    if (size === 0) return null;
    const start = hashKey === undefined ? Math.floor(Math.random() * size) : this.firstPointAtOrAfter(hashKey >>> 0);
    const host = this.owners[start];
    if (exclude === null || !exclude.has(host) || allExcluded(this.hosts, exclude)) return host;
    // Walk on clockwise, so a retry of the same key goes to the same next host.
    for (let i = 1; i < size; i++) {
      const other = this.owners[(start + i) % size];
      if (!exclude.has(other)) return other;
    }
    return host;
  }

  /** Index of the first point >= key, wrapping to 0 past the last one. */
  private firstPointAtOrAfter(key: number): number {
    const points = this.points;
    let lo = 0;
    let hi = points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (points[mid] < key) lo = mid + 1;
      else hi = mid;
    }
    return lo === points.length ? 0 : lo;
  }
}
