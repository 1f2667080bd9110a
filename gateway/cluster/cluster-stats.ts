// A cluster's counters and gauges, named as Envoy's cluster.<name>.* stats. Plain fields for now: the
// cluster keeps membership and DNS ones, the router counts what it observes on requests.
export interface ClusterStats {
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
}

export function newClusterStats(): ClusterStats {
  return {
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
  };
}
