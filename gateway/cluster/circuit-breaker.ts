// A cluster's circuit breakers (the DEFAULT thresholds of circuit_breakers; Envoy's defaults otherwise).
// Limits only: the caller counts refusals in the cluster's stats (it knows which answer it gave).
//
// How the router uses it, per upstream try:
//   1. breaker.tryStartRequest()            false → 503 UO, count upstream_rq_pending_overflow (max_requests)
//   2. a retry also needs breaker.tryStartRetry(), false → no retry, count upstream_rq_retry_overflow
//      (max_retries); finishRetry() once the retried request is over.
//   3. host = cluster.chooseHost(...)
//   4. if breaker.wouldQueue(host), the host's connections are all busy and the request will wait in its
//      pool: breaker.tryStartPending(), false → 503 UO, count upstream_rq_pending_overflow
//      (max_pending_requests); true → count upstream_rq_pending_total, and call finishPending() once undici
//      hands the request a connection (the dispatch handler's onRequestStart) or the try ends before that.
//   5. cluster.requestStarted(host) ... cluster.requestFinished(host); breaker.finishRequest() at the end.
// max_connections needs no check here: it is the size of every host's undici Pool.
import type { CircuitBreakerThresholds, ClusterConfig } from '../config/types.js';
import type { Host } from './host.js';

/** Envoy's defaults, but for max_retries (1024 here, 3 in Envoy: see docs/decisions.md). */
const DEFAULTS: CircuitBreakerThresholds = {
  priority: 'DEFAULT',
  max_connections: 1024,
  max_pending_requests: 1024,
  max_requests: 1024,
  max_retries: 1024,
};

export class CircuitBreaker {
  readonly maxConnections: number;
  readonly maxPendingRequests: number;
  readonly maxRequests: number;
  readonly maxRetries: number;
  activeRequests = 0;
  pendingRequests = 0;
  activeRetries = 0;

  constructor(config: ClusterConfig['circuit_breakers']) {
    const t = config?.thresholds.find((x) => x.priority === 'DEFAULT') ?? DEFAULTS;
    this.maxConnections = t.max_connections;
    this.maxPendingRequests = t.max_pending_requests;
    this.maxRequests = t.max_requests;
    this.maxRetries = t.max_retries;
  }

  tryStartRequest(): boolean {
    if (this.activeRequests >= this.maxRequests) return false;
    this.activeRequests++;
    return true;
  }

  finishRequest(): void {
    this.activeRequests--;
  }

  tryStartRetry(): boolean {
    if (this.activeRetries >= this.maxRetries) return false;
    this.activeRetries++;
    return true;
  }

  finishRetry(): void {
    this.activeRetries--;
  }

  /** True when a request sent to `host` now would wait in its pool: every connection it may open is busy. */
  wouldQueue(host: Host): boolean {
    return host.activeRequests >= this.maxConnections;
  }

  tryStartPending(): boolean {
    if (this.pendingRequests >= this.maxPendingRequests) return false;
    this.pendingRequests++;
    return true;
  }

  finishPending(): void {
    this.pendingRequests--;
  }
}
