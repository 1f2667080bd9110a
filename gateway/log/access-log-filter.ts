// An access log's `filter` (Envoy's AccessLogFilter), compiled once at config load into a predicate.
import type { AccessLogFilter, ComparisonFilter } from '../config/types.js';
import type { LoggedRequest } from './logged-request.js';

/** True when the finished request is to be logged. */
export type LogPredicate = (r: LoggedRequest, durationMs: number) => boolean;

/** Envoy's response flags, short form: what response_flag_filter accepts. */
export const RESPONSE_FLAGS = [
  'LH', 'UH', 'UT', 'LR', 'UR', 'UF', 'UC', 'UO', 'NR', 'DI', 'FI', 'RL', 'UAEX', 'RLSE', 'DC', 'URX', 'SI', 'IH',
  'DPE', 'UMSDR', 'RFCF', 'NFCF', 'DT', 'UPE', 'NC', 'OM', 'DF', 'DO', 'DR',
  // Ours: a filter threw or rejected (docs/filters.md).
  'FF',
] as const;

function comparison(c: ComparisonFilter, read: (r: LoggedRequest, d: number) => number): LogPredicate {
  const value = typeof c.value === 'number' ? c.value : c.value.default_value;
  switch (c.op) {
    case 'EQ':
      return (r, d) => read(r, d) === value;
    case 'NE':
      return (r, d) => read(r, d) !== value;
    case 'LE':
      return (r, d) => read(r, d) <= value;
    default:
      return (r, d) => read(r, d) >= value;
  }
}

export function compileAccessLogFilter(f: AccessLogFilter): LogPredicate {
  if (f.status_code_filter !== undefined) return comparison(f.status_code_filter.comparison, (r) => r.responseStatus);
  if (f.duration_filter !== undefined) return comparison(f.duration_filter.comparison, (_r, d) => Math.floor(d));
  if (f.response_flag_filter !== undefined) {
    const flags = f.response_flag_filter.flags ?? [];
    if (flags.length === 0) return (r) => r.responseFlags !== null;
    return (r) => {
      const set = r.responseFlags;
      if (set === null) return false;
      for (let i = 0; i < set.length; i++) if (flags.includes(set[i]!)) return true;
      return false;
    };
  }
  // Loops, not every()/some() with an arrow: no closure per request.
  if (f.and_filter !== undefined) {
    const all = f.and_filter.filters.map(compileAccessLogFilter);
    return (r, d) => {
      for (let i = 0; i < all.length; i++) if (!all[i]!(r, d)) return false;
      return true;
    };
  }
  if (f.or_filter !== undefined) {
    const any = f.or_filter.filters.map(compileAccessLogFilter);
    return (r, d) => {
      for (let i = 0; i < any.length; i++) if (any[i]!(r, d)) return true;
      return false;
    };
  }
  // The schema allows exactly one kind per filter object.
  throw new Error('an access log filter needs one of status_code_filter, duration_filter, response_flag_filter, and_filter, or_filter');
}
