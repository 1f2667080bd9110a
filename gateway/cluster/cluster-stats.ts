// A cluster's stats, named as Envoy's cluster.<name>.* and tagged cluster="<name>", kept in the process's
// stats store: a cluster rebuilt by a reload asks for them by name again and continues the same ones. The
// cluster keeps membership and DNS ones, the router counts what it observes on requests, health checks and
// outlier detection keep theirs (health_check.*, outlier_detection.*). Gauges that describe the cluster's hosts
// (LIVE_GAUGES) are set only by the cluster object that claimed them when it started, so that they stay right
// across rebuilds; upstream_cx_active is moved by the pools' connect and disconnect events, so old and new pools
// add up while the old ones drain.
import type { OutlierRule } from './host-health.js';
import { ResponseCodeStats } from '../stats/response-code-stats.js';
import type { CounterStat, GaugeStat, HistogramStat, StatsStore } from '../stats/store.js';

const OUTLIER_RULES: readonly OutlierRule[] = [
  'consecutive_5xx',
  'consecutive_gateway_failure',
  'consecutive_local_origin_failure',
  'success_rate',
  'local_origin_success_rate',
  'failure_percentage',
  'failure_percentage_local_origin',
];

const COUNTERS = [
  /** Tries sent upstream (cluster.requestStarted). */
  'upstream_rq_total',
  /** Tries that got response headers. */
  'upstream_rq_completed',
  /** Requests that had to wait for a connection of their host. */
  'upstream_rq_pending_total',
  /** Requests refused by the max_requests or max_pending_requests circuit breaker. */
  'upstream_rq_pending_overflow',
  'upstream_rq_retry',
  /** Retries refused by the max_retries circuit breaker. */
  'upstream_rq_retry_overflow',
  /** Requests that hit the route timeout. */
  'upstream_rq_timeout',
  'upstream_rq_per_try_timeout',
  /** Connections opened to the cluster's hosts. */
  'upstream_cx_total',
  'upstream_cx_connect_fail',
  /** Times the host set changed. */
  'membership_change',
  /** DNS lookups of STRICT_DNS endpoints, and how they ended. */
  'update_attempt',
  'update_success',
  'update_failure',
  /** Picks made from a priority level in panic (healthy share under healthy_panic_threshold). */
  'lb_healthy_panic',
  'health_check.attempt',
  'health_check.success',
  'health_check.failure',
  /** Failures that were connect errors, resets or timeouts. */
  'health_check.network_failure',
  'outlier_detection.ejections_total',
  'outlier_detection.ejections_enforced_total',
  /** Ejections refused by max_ejection_percent. */
  'outlier_detection.ejections_overflow',
] as const;

/** Gauges describing the hosts of the cluster object now serving (GaugeStat.claim). */
export const LIVE_GAUGES = [
  /** Hosts in the cluster. */
  'membership_total',
  /** Hosts available outside panic. */
  'membership_healthy',
  /** Hosts passing their active checks. */
  'health_check.healthy',
  /** Hosts ejected now. */
  'outlier_detection.ejections_active',
] as const;

const GAUGES = [
  /** Connections open now in the pools of the cluster's hosts. */
  'upstream_cx_active',
  ...LIVE_GAUGES,
] as const;

type OutlierRuleStats = {
  [R in OutlierRule as `outlier_detection.ejections_detected_${R}` | `outlier_detection.ejections_enforced_${R}`]: CounterStat;
};

export type ClusterStats = OutlierRuleStats & { readonly [K in (typeof COUNTERS)[number]]: CounterStat } & {
  readonly [K in (typeof GAUGES)[number]]: GaugeStat;
} & {
  /** upstream_rq_<class> and upstream_rq_<code>, per response received from a host (retried ones too). */
  readonly upstream_rq: ResponseCodeStats;
  /** ms from a try's start to its response headers. */
  readonly upstream_rq_time: HistogramStat;
};

export function clusterStats(store: StatsStore, clusterName: string): ClusterStats {
  const scope = store.scope('cluster', 'cluster', clusterName);
  const out: Record<string, unknown> = {
    upstream_rq: new ResponseCodeStats(scope, 'upstream_rq_', true),
    upstream_rq_time: scope.histogram('upstream_rq_time'),
  };
  for (const name of COUNTERS) out[name] = scope.counter(name);
  for (const name of GAUGES) out[name] = scope.gauge(name);
  for (const rule of OUTLIER_RULES) {
    out[`outlier_detection.ejections_detected_${rule}`] = scope.counter(`outlier_detection.ejections_detected_${rule}`);
    out[`outlier_detection.ejections_enforced_${rule}`] = scope.counter(`outlier_detection.ejections_enforced_${rule}`);
  }
  return out as ClusterStats;
}
