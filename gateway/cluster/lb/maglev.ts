// lb_policy maglev: Google's Maglev lookup table (Eisenbud et al., NSDI 2016), weighted as Envoy does it.
// Each host walks its own permutation of the table slots (offset + i * skip, mod a prime size) and the hosts
// take turns claiming their next free slot; a host of weight w takes a turn on w of every maxWeight rounds.
// A request's slot is hashKey mod table size: O(1), and removing a host mostly moves only its own slots.
import type { Host } from '../host.js';
import { hashString } from '../hash.js';
import { allExcluded, type LoadBalancer } from './load-balancer.js';

const OFFSET_SEED = 0;
const SKIP_SEED = 1;

export class MaglevLb implements LoadBalancer {
  private hosts: readonly Host[] = [];
  private table: Host[] = [];

  constructor(private readonly tableSize: number) {
    if (!isPrime(tableSize)) throw new Error(`maglev table_size must be prime, got ${tableSize}`);
  }

  rebuild(hosts: readonly Host[]): void {
    this.hosts = hosts;
    const n = hosts.length;
    const size = this.tableSize;
    if (n === 0) {
      this.table = [];
      return;
    }
    const offset = new Float64Array(n);
    const skip = new Float64Array(n);
    const nextInPermutation = new Float64Array(n);
    const turnsTaken = new Float64Array(n);
    let maxWeight = 0;
    for (let h = 0; h < n; h++) {
      offset[h] = hashString(hosts[h].hostname, OFFSET_SEED) % size;
      skip[h] = (hashString(hosts[h].hostname, SKIP_SEED) % (size - 1)) + 1;
      maxWeight = Math.max(maxWeight, hosts[h].weight);
    }
    const owner = new Int32Array(size).fill(-1);
    let filled = 0;
    for (let round = 1; filled < size; round++) {
      for (let h = 0; h < n && filled < size; h++) {
        // turnsTaken counts in units of maxWeight: a host of weight w is due when round * w reaches it.
        if (round * hosts[h].weight < turnsTaken[h]) continue;
        turnsTaken[h] += maxWeight;
        let slot = (offset[h] + skip[h] * nextInPermutation[h]) % size;
        while (owner[slot] !== -1) {
          nextInPermutation[h]++;
          slot = (offset[h] + skip[h] * nextInPermutation[h]) % size;
        }
        owner[slot] = h;
        nextInPermutation[h]++;
        filled++;
      }
    }
    this.table = Array.from(owner, (h) => hosts[h]);
  }

  pick(hashKey: number | undefined, exclude: ReadonlySet<Host> | null): Host | null {
    const table = this.table;
    if (table.length === 0) return null;
    const slot = hashKey === undefined ? Math.floor(Math.random() * table.length) : (hashKey >>> 0) % table.length;
    const host = table[slot];
    if (exclude === null || !exclude.has(host) || allExcluded(this.hosts, exclude)) return host;
    // The slots after this one belong to hosts in a scattered order: the next allowed one is near.
    for (let i = 1; i < table.length; i++) {
      const other = table[(slot + i) % table.length];
      if (!exclude.has(other)) return other;
    }
    return host;
  }
}

export function isPrime(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}
