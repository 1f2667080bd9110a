// One upstream endpoint (one resolved address of a configured endpoint) and its connection pool: an undici
// Pool for HTTP/1.1 (over TLS when the cluster says so), an H2Pool for HTTP/2.
import { Pool } from 'undici';
import type { EndpointConfig } from '../config/types.js';
import { H2Pool } from './h2-pool.js';
import { HostHealth } from './host-health.js';
import type { UpstreamTls } from './upstream-tls.js';

export type Locality = NonNullable<EndpointConfig['locality']>;

/** How the pool of every host of a cluster is built. */
export interface HostPoolOptions {
  /** circuit_breakers max_connections: the pool never opens more. */
  connections: number;
  connectTimeoutMs: number;
  /** Upstream keep-alive idle (common_http_protocol_options.idle_timeout), already capped. */
  keepAliveTimeoutMs: number;
  /** transport_socket tls, or null for cleartext. */
  tls?: UpstreamTls | null;
  /** http2_protocol_options.max_concurrent_streams when the cluster speaks HTTP/2, else null. */
  http2MaxConcurrentStreams?: number | null;
}

export class Host {
  /** `address:port` (`[v6]:port`), the upstream_host of access logs. */
  readonly hostname: string;
  readonly port: number;
  readonly weight: number;
  readonly priority: number;
  readonly locality: Locality | undefined;
  /**
   * Active check and outlier state, with the reasons /clusters shows. Whoever changes it (health checks,
   * outlier detection) then calls `cluster.onHostsChanged()` so the load balancers rebuild.
   */
  readonly health = new HostHealth();
  /** Requests in flight to this host; kept by `cluster.requestStarted(host)` / `cluster.requestFinished(host)`. */
  activeRequests = 0;
  totalRequests = 0;
  /** Tries reported by `cluster.reportResult`: answered below 500, or 5xx / failed without a response. */
  rqSuccess = 0;
  rqError = 0;
  readonly pool: Pool | H2Pool;
  private closing: Promise<void> | null = null;

  constructor(
    endpoint: EndpointConfig,
    /** The IP the endpoint's address resolved to (the address itself for STATIC clusters). */
    readonly address: string,
    options: HostPoolOptions,
  ) {
    this.port = endpoint.port;
    this.weight = endpoint.weight;
    this.priority = endpoint.priority;
    this.locality = endpoint.locality;
    this.hostname = address.includes(':') ? `[${address}]:${endpoint.port}` : `${address}:${endpoint.port}`;
    const tls = options.tls?.forHost(endpoint.address) ?? null;
    if (options.http2MaxConcurrentStreams != null) {
      this.pool = new H2Pool(this.hostname, address, endpoint.port, {
        connectTimeoutMs: options.connectTimeoutMs,
        keepAliveTimeoutMs: options.keepAliveTimeoutMs,
        maxConcurrentStreams: options.http2MaxConcurrentStreams,
        tls,
      });
      return;
    }
    this.pool = new Pool(`${tls === null ? 'http' : 'https'}://${this.hostname}`, {
      connections: options.connections,
      pipelining: 1,
      connect: { timeout: options.connectTimeoutMs, ...tls },
      keepAliveTimeout: options.keepAliveTimeoutMs,
      // A server's keep-alive hint may shorten the idle time, never stretch it past ours.
      keepAliveMaxTimeout: options.keepAliveTimeoutMs,
    });
  }

  /** Whether the host may take traffic outside panic mode: passes its active checks (if any) and is not ejected. */
  get healthy(): boolean {
    return this.health.available;
  }

  /** Closes the pool once its in-flight requests are done. Idempotent. */
  close(): Promise<void> {
    return (this.closing ??= this.pool.close());
  }
}
