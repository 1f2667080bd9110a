// One active health check of one host: the contract the http and tcp probes share, and the factory.
import type { HealthCheckConfig } from '../../config/types.js';
import { parseDuration } from '../../config/duration.js';
import { HttpProbe } from './http-probe.js';
import { TcpProbe } from './tcp-probe.js';
import type { UpstreamTls } from '../upstream-tls.js';

/**
 * ok: the check passed. network: connect failure, reset or timeout (counts against unhealthy_threshold).
 * status: an HTTP status outside expected_statuses (fails the host at once, as in Envoy).
 * retriable: a status in retriable_statuses (counts against unhealthy_threshold).
 */
export type ProbeOutcome = 'ok' | 'network' | 'status' | 'retriable';

export interface ProbeResult {
  readonly outcome: ProbeOutcome;
  /** What went wrong, for /clusters; null when ok. */
  readonly error: string | null;
}

export const PASSED: ProbeResult = { outcome: 'ok', error: null };

export interface Probe {
  /** Checks `address:port` on a connection of its own; settles within the check's timeout, never rejects. */
  check(address: string, port: number): Promise<ProbeResult>;
}

export function createProbe(config: HealthCheckConfig, clusterName: string, tls: UpstreamTls | null): Probe {
  const timeoutMs = parseDuration(config.timeout);
  if (config.http_health_check !== undefined) return new HttpProbe(config.http_health_check, clusterName, timeoutMs, tls);
  return new TcpProbe(config.tcp_health_check ?? {}, timeoutMs);
}
