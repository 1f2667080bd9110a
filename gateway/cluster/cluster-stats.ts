// A cluster's counters and gauges, named as Envoy's cluster.<name>.* stats. Plain fields for now: the
// cluster keeps membership and DNS ones, the router counts what it observes on requests, health checks and
// outlier detection keep theirs (health_check.*, outlier_detection.*).
import type { OutlierRule } from './host-health.js';

const OUTLIER_RULES: readonly OutlierRule[] = [
  'consecutive_5xx',
  'consecutive_gateway_failure',
  'consecutive_local_origin_failure',
  'success_rate',
  'local_origin_success_rate',
  'failure_percentage',
  'failure_percentage_local_origin',
];

type OutlierRuleStats = {
  [R in OutlierRule as `outlier_detection.ejections_detected_${R}` | `outlier_detection.ejections_enforced_${R}`]: number;
};

export interface ClusterStats extends OutlierRuleStats {
  /** Tries sent upstream (cluster.requestStarted). */
  upstream_rq_total: number;
  /** Tries that got response headers. */
  upstream_rq_completed: number;
  /** Requests that had to wait for a connection of their host. */
  upstream_rq_pending_total: number;
  /** Requests refused by the max_requests or max_pending_requests circuit breaker. */
  upstream_rq_pending_overflow: number;
  upstream_rq_retry: number;
  /** Retries refused by the max_retries circuit breaker. */
  upstream_rq_retry_overflow: number;
  /** Requests that hit the route timeout. */
  upstream_rq_timeout: number;
  upstream_rq_per_try_timeout: number;
  upstream_cx_connect_fail: number;
  /** Hosts in the cluster (gauge). */
  membership_total: number;
  /** Hosts marked healthy (gauge). */
  membership_healthy: number;
  /** Times the host set changed. */
  membership_change: number;
  /** DNS lookups of STRICT_DNS endpoints, and how they ended. */
  update_attempt: number;
  update_success: number;
  update_failure: number;
  /** Picks made from a priority level in panic (healthy share under healthy_panic_threshold). */
  lb_healthy_panic: number;
  'health_check.attempt': number;
  'health_check.success': number;
  'health_check.failure': number;
  /** Failures that were connect errors, resets or timeouts. */
  'health_check.network_failure': number;
  /** Hosts passing their active checks (gauge). */
  'health_check.healthy': number;
  /** Hosts ejected now (gauge). */
  'outlier_detection.ejections_active': number;
  'outlier_detection.ejections_total': number;
  'outlier_detection.ejections_enforced_total': number;
  /** Ejections refused by max_ejection_percent. */
  'outlier_detection.ejections_overflow': number;
}

export function newClusterStats(): ClusterStats {
  const perRule = {} as OutlierRuleStats;
  for (const rule of OUTLIER_RULES) {
    perRule[`outlier_detection.ejections_detected_${rule}`] = 0;
    perRule[`outlier_detection.ejections_enforced_${rule}`] = 0;
  }
  return {
    ...perRule,
    upstream_rq_total: 0,
    upstream_rq_completed: 0,
    upstream_rq_pending_total: 0,
    upstream_rq_pending_overflow: 0,
    upstream_rq_retry: 0,
    upstream_rq_retry_overflow: 0,
    upstream_rq_timeout: 0,
    upstream_rq_per_try_timeout: 0,
    upstream_cx_connect_fail: 0,
    membership_total: 0,
    membership_healthy: 0,
    membership_change: 0,
    update_attempt: 0,
    update_success: 0,
    update_failure: 0,
    lb_healthy_panic: 0,
    'health_check.attempt': 0,
    'health_check.success': 0,
    'health_check.failure': 0,
    'health_check.network_failure': 0,
    'health_check.healthy': 0,
    'outlier_detection.ejections_active': 0,
    'outlier_detection.ejections_total': 0,
    'outlier_detection.ejections_enforced_total': 0,
    'outlier_detection.ejections_overflow': 0,
  };
}
