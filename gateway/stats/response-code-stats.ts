// `<prefix><class>` counters (upstream_rq_2xx), made at config load, and, when asked for, Envoy's exact-code
// ones (upstream_rq_503), made the first time a code is seen and then found by index: no string is built on
// the request path after that first time.
import type { CounterStat, StatsScope } from './store.js';

export class ResponseCodeStats {
  /** Index 1..5: the 1xx..5xx counters. */
  private readonly classes: CounterStat[];
  /** Index = the status code, 100..599. */
  private readonly exact: (CounterStat | undefined)[] | null;

  constructor(
    private readonly scope: StatsScope,
    private readonly prefix: string,
    exactCodes: boolean,
  ) {
    this.classes = [1, 2, 3, 4, 5].map((c) => scope.counter(`${prefix}${c}xx`));
    this.classes.unshift(this.classes[0]!); // keeps index = class; slot 0 is never read
    this.exact = exactCodes ? new Array<CounterStat | undefined>(600).fill(undefined) : null;
  }

  /** Counts one response; a status outside 100..599 (no response) counts nowhere. */
  count(status: number): void {
    if (status < 100 || status > 599) return;
    this.classes[(status / 100) | 0]!.inc();
    const exact = this.exact;
    if (exact !== null) (exact[status] ??= this.scope.counter(this.prefix + status)).inc();
  }
}
