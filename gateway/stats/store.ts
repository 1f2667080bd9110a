// The gateway's stats: named counters and gauges with Envoy-style dotted names.
// A stat is created once (at config load where possible) and then bumped without allocation.
import type { Counter, FilterStats } from '../../sdk/filter.js';

export class CounterStat implements Counter {
  value = 0;
  constructor(readonly name: string) {}
  inc(by = 1): void {
    this.value += by;
  }
}

export class GaugeStat {
  value = 0;
  constructor(readonly name: string) {}
  add(by: number): void {
    this.value += by;
  }
  set(v: number): void {
    this.value = v;
  }
}

export class StatsStore {
  private readonly counters = new Map<string, CounterStat>();
  private readonly gauges = new Map<string, GaugeStat>();

  counter(name: string): CounterStat {
    let c = this.counters.get(name);
    if (c === undefined) this.counters.set(name, (c = new CounterStat(name)));
    return c;
  }

  gauge(name: string): GaugeStat {
    let g = this.gauges.get(name);
    if (g === undefined) this.gauges.set(name, (g = new GaugeStat(name)));
    return g;
  }

  /** A view whose counter names are prefixed, for one filter or one listener. */
  scope(prefix: string): FilterStats {
    return { counter: (name: string) => this.counter(`${prefix}.${name}`) };
  }

  /** Every stat as name → value, sorted by name. */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    const names = [...this.counters.keys(), ...this.gauges.keys()].sort();
    for (const n of names) out[n] = (this.counters.get(n) ?? this.gauges.get(n))!.value;
    return out;
  }
}
