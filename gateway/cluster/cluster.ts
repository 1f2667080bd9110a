// One upstream cluster: its hosts, the load balancer over the available ones, circuit breakers and stats.
import type { ClusterConfig, EndpointConfig } from '../config/types.js';
import { parseDuration } from '../config/duration.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { newClusterStats, type ClusterStats } from './cluster-stats.js';
import { Host, type HostPoolOptions } from './host.js';
import { createLoadBalancer } from './lb/create-load-balancer.js';
import type { LoadBalancer } from './lb/load-balancer.js';

// Envoy's upstream idle default is 1h; an idle socket kept that long is likely dead at the server (which
// undici would only learn on reuse), so keep-alive is capped at undici's own ceiling for server hints.
const MAX_KEEP_ALIVE_MS = 600_000;

export class Cluster {
  readonly name: string;
  readonly stats: ClusterStats = newClusterStats();
  readonly breaker: CircuitBreaker;
  private current: readonly Host[] = [];
  private readonly lb: LoadBalancer;
  private readonly poolOptions: HostPoolOptions;
  /** Removed hosts whose pools are still finishing their in-flight requests. */
  private readonly draining = new Set<Host>();

  constructor(readonly config: ClusterConfig) {
    this.name = config.name;
    this.breaker = new CircuitBreaker(config.circuit_breakers);
    this.lb = createLoadBalancer(config);
    const idleMs = parseDuration(config.common_http_protocol_options?.idle_timeout ?? '1h');
    this.poolOptions = {
      connections: this.breaker.maxConnections,
      connectTimeoutMs: parseDuration(config.connect_timeout),
      // 0 means "no idle timeout" in Envoy: the longest we allow.
      keepAliveTimeoutMs: idleMs > 0 ? Math.min(idleMs, MAX_KEEP_ALIVE_MS) : MAX_KEEP_ALIVE_MS,
    };
    // STRICT_DNS clusters start empty; their DnsDiscovery fills them.
    if (config.type === 'STATIC') this.setHosts(config.endpoints.map((e) => this.createHost(e, e.address)));
  }

  /** Every host, available or not; setHosts replaces the array, never mutates it. */
  get hosts(): readonly Host[] {
    return this.current;
  }

  /** A host for `endpoint` at `address` (one of its resolved IPs), with this cluster's pool settings. */
  createHost(endpoint: EndpointConfig, address: string): Host {
    return new Host(endpoint, address, this.poolOptions);
  }

  /**
   * Replaces the host set. Hosts kept from the old set keep their object and pool; the pools of hosts left
   * out close once their in-flight requests are done.
   */
  setHosts(hosts: readonly Host[]): void {
    const kept = new Set(hosts);
    for (const old of this.current) {
      if (kept.has(old)) continue;
      this.draining.add(old);
      void old.close().finally(() => this.draining.delete(old));
    }
    this.current = hosts;
    this.stats.membership_total = hosts.length;
    this.stats.membership_change++;
    this.onHostsChanged();
  }

  /** Call after the host set or any host's health changed: the load balancer rebuilds over the available hosts. */
  onHostsChanged(): void {
    let healthy = 0;
    for (const host of this.hosts) if (host.healthy) healthy++;
    this.stats.membership_healthy = healthy;
    this.lb.rebuild(this.availableHosts());
  }

  /**
   * The host for one try, or null when none is available (the router answers 503, flag UH).
   * `hashKey` comes from the route's hash_policy (see hashString); `exclude` holds the hosts already tried.
   */
  chooseHost(hashKey: number | undefined, exclude: ReadonlySet<Host> | null): Host | null {
    return this.lb.pick(hashKey, exclude);
  }

  /** The router calls this when a try is sent to `host`, and requestFinished when that try has ended. */
  requestStarted(host: Host): void {
    host.activeRequests++;
    host.totalRequests++;
    this.stats.upstream_rq_total++;
  }

  requestFinished(host: Host): void {
    host.activeRequests--;
  }

  /** Closes every pool (current and draining) once its in-flight requests are done. Idempotent. */
  async close(): Promise<void> {
    await Promise.all([...this.hosts, ...this.draining].map((h) => h.close()));
  }

  /**
   * The hosts the load balancer may pick: the healthy hosts of the best (lowest) priority that has any.
   * Envoy's priority load spill-over and panic threshold are not modelled yet.
   */
  private availableHosts(): Host[] {
    let best = Infinity;
    for (const host of this.hosts) if (host.healthy && host.priority < best) best = host.priority;
    return this.hosts.filter((h) => h.healthy && h.priority === best);
  }
}
