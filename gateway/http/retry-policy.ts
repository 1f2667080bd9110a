// A route's retry_policy, compiled once at load: which failures are retried, how often, how long to wait.
import type { RetryPolicy } from '../config/types.js';
import { parseDuration } from '../config/duration.js';
import type { FailureKind } from './upstream-errors.js';

export interface CompiledRetryPolicy {
  readonly numRetries: number;
  readonly perTryTimeoutMs: number; // 0 = none
  readonly baseIntervalMs: number;
  readonly maxIntervalMs: number;
  readonly avoidPreviousHosts: boolean;
  readonly hostSelectionMaxAttempts: number;
  readonly on5xx: boolean;
  readonly onGatewayError: boolean;
  readonly onReset: boolean;
  readonly onConnectFailure: boolean;
  readonly onRetriable4xx: boolean;
  readonly statusCodes: ReadonlySet<number>;
}

export function compileRetryPolicy(p: RetryPolicy): CompiledRetryPolicy {
  const on = new Set(p.retry_on.split(',').map((s) => s.trim()).filter((s) => s !== ''));
  const base = p.retry_back_off ? parseDuration(p.retry_back_off.base_interval) : 25;
  const max = p.retry_back_off?.max_interval ? parseDuration(p.retry_back_off.max_interval) : base * 10;
  return {
    numRetries: p.num_retries,
    perTryTimeoutMs: p.per_try_timeout ? parseDuration(p.per_try_timeout) : 0,
    baseIntervalMs: base,
    maxIntervalMs: Math.max(base, max),
    avoidPreviousHosts: p.retry_host_predicate.some((h) => h.name === 'previous_hosts'),
    hostSelectionMaxAttempts: p.host_selection_retry_max_attempts,
    on5xx: on.has('5xx'),
    onGatewayError: on.has('gateway-error'),
    onReset: on.has('reset'),
    onConnectFailure: on.has('connect-failure'),
    onRetriable4xx: on.has('retriable-4xx'),
    statusCodes: on.has('retriable-status-codes') ? new Set(p.retriable_status_codes ?? []) : new Set(),
  };
}

/** Envoy: 5xx and gateway-error also cover "no response at all" (connect failure, reset, timeout). */
export function retriesFailure(p: CompiledRetryPolicy, kind: FailureKind): boolean {
  if (p.on5xx || p.onGatewayError) return true;
  if (kind === 'connect') return p.onConnectFailure || p.onReset;
  return p.onReset;
}

export function retriesStatus(p: CompiledRetryPolicy, status: number): boolean {
  if (p.on5xx && status >= 500 && status <= 599) return true;
  if (p.onGatewayError && (status === 502 || status === 503 || status === 504)) return true;
  if (p.onRetriable4xx && status === 409) return true;
  return p.statusCodes.has(status);
}

/** Fully jittered exponential back-off: uniform in [0, min(max, base * 2^retry)). */
export function backOffMs(p: CompiledRetryPolicy, retryNumber: number): number {
  const ceiling = Math.min(p.maxIntervalMs, p.baseIntervalMs * 2 ** retryNumber);
  return Math.floor(Math.random() * ceiling);
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

export function isIdempotent(method: string): boolean {
  return IDEMPOTENT.has(method);
}
