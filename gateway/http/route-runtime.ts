// What the upstream leg needs of a route, decided at config load: timeouts, retry policy, mirrors,
// the body buffer limit, and the filter chain of the route.
import type { ResolvedChain } from '../../sdk/filter-stream.js';
import type { Route, RouteAction, VirtualHost } from '../config/types.js';
import { parseDuration } from '../config/duration.js';
import { compileRetryPolicy } from './retry-policy.js';
import type { CompiledRetryPolicy } from './retry-policy.js';
import type { MirrorPolicy } from './mirror.js';
import { ResponseCodeStats } from '../stats/response-code-stats.js';
import type { HistogramStat, StatsStore } from '../stats/store.js';

/** vhost.<vhost>.route.<route>.*, tagged vhost and route: upstream responses by class, and their time. */
export interface RouteStats {
  readonly upstream_rq: ResponseCodeStats;
  readonly upstream_rq_time: HistogramStat;
}

/** The stats of a named route; an unnamed route has none (its traffic shows in its cluster's). */
export function routeStats(store: StatsStore, vhost: VirtualHost, route: Route): RouteStats | null {
  if (route.name === undefined || route.route === undefined) return null;
  const scope = store.scope('vhost', 'vhost', vhost.name).scope('route', 'route', route.name);
  return { upstream_rq: new ResponseCodeStats(scope, 'upstream_rq_', false), upstream_rq_time: scope.histogram('upstream_rq_time') };
}

export class RouteRuntime {
  readonly timeoutMs: number;
  /** undici bodyTimeout: the longest silence between two body chunks of the response; 0 = none. */
  readonly idleTimeoutMs: number;
  readonly retry: CompiledRetryPolicy | null;
  readonly bufferLimit: number;

  constructor(
    action: RouteAction | undefined,
    readonly chain: ResolvedChain,
    readonly mirrors: readonly MirrorPolicy[],
    readonly stats: RouteStats | null = null,
  ) {
    this.timeoutMs = action ? parseDuration(action.timeout) : 0;
    this.idleTimeoutMs = action?.idle_timeout ? parseDuration(action.idle_timeout) : 0;
    this.retry = action?.retry_policy ? compileRetryPolicy(action.retry_policy) : null;
    this.bufferLimit = action?.per_request_buffer_limit_bytes ?? 0;
  }

  /** The request body must be kept in memory to be sent more than once. */
  get keepsBody(): boolean {
    return this.retry !== null || this.mirrors.length > 0;
  }
}
