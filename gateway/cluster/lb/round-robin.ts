// lb_policy round_robin: nginx's smooth weighted round robin. Each pick adds every host's weight to its
// `current`, takes the host with the largest `current` (the first on a tie) and takes the total off it.
// The sequence repeats every sum(weights) picks, so when that is cheap it is computed once per rebuild and
// picks just walk it; otherwise every pick runs one step of the algorithm (O(hosts)).
import type { Host } from '../host.js';
import { allExcluded, type LoadBalancer } from './load-balancer.js';

// Largest hosts × period worth precomputing (a few ms of work at rebuild).
const SCHEDULE_BUDGET = 1 << 22;

export class RoundRobinLb implements LoadBalancer {
  private hosts: readonly Host[] = [];
  /** Weights divided by their greatest common divisor: same sequence, shorter period. */
  private weights = new Int32Array(0);
  private current = new Float64Array(0);
  /** Sum of `weights`: the period of the sequence. */
  private period = 0;
  private schedule: Host[] | null = null;
  private cursor = 0;

  rebuild(hosts: readonly Host[]): void {
    const n = hosts.length;
    this.hosts = hosts;
    let divisor = 0;
    for (const host of hosts) divisor = gcd(divisor, host.weight);
    this.weights = new Int32Array(n);
    this.current = new Float64Array(n);
    this.period = 0;
    for (let i = 0; i < n; i++) {
      this.weights[i] = hosts[i].weight / divisor;
      this.period += this.weights[i];
    }
    this.cursor = 0;
    this.schedule = null;
    if (n > 0 && n * this.period <= SCHEDULE_BUDGET) {
      // After a whole period every `current` is back to 0, so stepping on afterwards would give the same sequence.
      const schedule = new Array<Host>(this.period);
      for (let i = 0; i < this.period; i++) schedule[i] = this.step();
      this.schedule = schedule;
    }
  }

  pick(_hashKey: number | undefined, exclude: ReadonlySet<Host> | null): Host | null {
    if (this.hosts.length === 0) return null;
    const host = this.next();
    if (exclude === null || !exclude.has(host) || allExcluded(this.hosts, exclude)) return host;
    // Every host comes up within one period, so an allowed one is found before this loop ends.
    for (let i = 0; i < this.period; i++) {
      const other = this.next();
      if (!exclude.has(other)) return other;
    }
    return host;
  }

  private next(): Host {
    const schedule = this.schedule;
    if (schedule === null) return this.step();
    const host = schedule[this.cursor];
    this.cursor = this.cursor + 1 === schedule.length ? 0 : this.cursor + 1;
    return host;
  }

  private step(): Host {
    const { weights, current } = this;
    let best = 0;
    for (let i = 0; i < weights.length; i++) {
      current[i] += weights[i];
      if (current[i] > current[best]) best = i;
    }
    current[best] -= this.period;
    return this.hosts[best];
  }
}

function gcd(a: number, b: number): number {
  while (b !== 0) {
    const rest = a % b;
    a = b;
    b = rest;
  }
  return a;
}
