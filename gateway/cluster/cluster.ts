// One upstream cluster: its hosts grouped by priority, a load balancer per priority level, Envoy's priority
// load and panic threshold over them, active health checks, outlier detection, circuit breakers and stats.
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import type { ClusterConfig, EndpointConfig } from '../config/types.js';
import { parseDuration } from '../config/duration.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { clusterStats, LIVE_GAUGES, type ClusterStats } from './cluster-stats.js';
import { HealthChecker, type HealthCheckTarget } from './health/health-checker.js';
import { Host, type HostPoolOptions } from './host.js';
import { createLoadBalancer } from './lb/create-load-balancer.js';
import type { LoadBalancer } from './lb/load-balancer.js';
import { OutlierDetector, type AttemptOutcome, type OutlierTarget } from './outlier/outlier-detector.js';
import { computePriorityLoad } from './priority-load.js';
import { StatsStore } from '../stats/store.js';
import { UpstreamTls } from './upstream-tls.js';

// Envoy's upstream idle default is 1h; an idle socket kept that long is likely dead at the server (which
// undici would only learn on reuse), so keep-alive is capped at undici's own ceiling for server hints.
const MAX_KEEP_ALIVE_MS = 600_000;
/** Envoy's default http2_protocol_options.max_concurrent_streams: in effect, the peer's setting decides. */
const MAX_H2_STREAMS = 2147483647;

/** The hosts of one priority and how traffic treats them now (what /clusters shows per priority). */
export interface PriorityLevel {
  readonly priority: number;
  readonly hosts: readonly Host[];
  /** Hosts available outside panic mode. */
  readonly healthy: number;
  /** Envoy's health score: min(100, healthy% × 1.4). */
  readonly health: number;
  /** Percent of the cluster's requests this level takes. */
  readonly load: number;
  /** Healthy share under healthy_panic_threshold: picks go to every host of the level ever seen alive. */
  readonly panic: boolean;
  readonly lb: LoadBalancer;
}

export class Cluster implements HealthCheckTarget, OutlierTarget {
  readonly name: string;
  readonly stats: ClusterStats;
  readonly breaker: CircuitBreaker;
  readonly healthChecker: HealthChecker | null;
  readonly outlierDetector: OutlierDetector | null;
  /** healthy_panic_threshold, percent. */
  readonly panicThreshold: number;
  private current: readonly Host[] = [];
  private levels: readonly PriorityLevel[] = [];
  /** The level that takes all traffic, when one does: picks then skip the draw over levels. */
  private soleLevel: PriorityLevel | null = null;
  /** One balancer per priority, kept across rebuilds so round robin keeps its place. */
  private readonly balancers = new Map<number, LoadBalancer>();
  private readonly poolOptions: HostPoolOptions;
  /** transport_socket tls (its PEM files read at construction), or null. */
  readonly tls: UpstreamTls | null;
  /** Removed hosts whose pools are still finishing their in-flight requests. */
  private readonly draining = new Set<Host>();
  /** Reload: the previous config's hosts by `address:port`, until start() (STRICT_DNS hosts come later). */
  private inheritable: { readonly hosts: Map<string, Host>; readonly activeChecks: boolean; readonly outlier: boolean } | null = null;

  constructor(
    readonly config: ClusterConfig,
    log: Logger | null = null,
    /** The process's stats store; a store of its own when the cluster stands alone (tests). */
    store: StatsStore = new StatsStore(),
  ) {
    this.name = config.name;
    this.tls = config.transport_socket === undefined ? null : new UpstreamTls(config.transport_socket.config);
    this.stats = clusterStats(store, config.name);
    this.breaker = new CircuitBreaker(config.circuit_breakers);
    this.panicThreshold = config.common_lb_config?.healthy_panic_threshold.value ?? 50;
    const idleMs = parseDuration(config.common_http_protocol_options?.idle_timeout ?? '1h');
    this.poolOptions = {
      connections: this.breaker.maxConnections,
      connectTimeoutMs: parseDuration(config.connect_timeout),
      // 0 means "no idle timeout" in Envoy: the longest we allow.
      keepAliveTimeoutMs: idleMs > 0 ? Math.min(idleMs, MAX_KEEP_ALIVE_MS) : MAX_KEEP_ALIVE_MS,
      tls: this.tls,
      http2MaxConcurrentStreams: config.http2_protocol_options === undefined ? null : (config.http2_protocol_options.max_concurrent_streams ?? MAX_H2_STREAMS),
    };
    const check = config.health_checks?.[0];
    this.healthChecker = check === undefined ? null : new HealthChecker(this, check, log);
    this.outlierDetector = config.outlier_detection === undefined ? null : new OutlierDetector(this, config.outlier_detection, log);
    // STRICT_DNS clusters start empty; their DnsDiscovery fills them.
    if (config.type === 'STATIC') this.setHosts(config.endpoints.map((e) => this.createHost(e, e.address)));
  }

  /** Every host, available or not; setHosts replaces the array, never mutates it. */
  get hosts(): readonly Host[] {
    return this.current;
  }

  /** The priority levels, best first, as the last rebuild left them. */
  get priorityLevels(): readonly PriorityLevel[] {
    return this.levels;
  }

  /** A host for `endpoint` at `address` (one of its resolved IPs), with this cluster's pool settings. */
  createHost(endpoint: EndpointConfig, address: string): Host {
    const host = new Host(endpoint, address, this.poolOptions);
    host.pool.on('connect', this.onPoolConnect).on('disconnect', this.onPoolDisconnect);
    this.healthChecker?.prepare(host);
    if (this.inheritable !== null) this.inherit(host);
    return host;
  }

  /**
   * Reload: hosts that `old` (the same cluster under the previous config) also has keep their health state,
   * the active-check part if health_checks did not change, the outlier part if outlier_detection did not.
   * Call before start(). The stats store is shared by name, so gauges such as ejections_active carry over as they are.
   */
  inheritHealth(old: Cluster): void {
    const activeChecks = this.healthChecker !== null && isDeepStrictEqual(old.config.health_checks, this.config.health_checks);
    const outlier = this.outlierDetector !== null && isDeepStrictEqual(old.config.outlier_detection, this.config.outlier_detection);
    if (!activeChecks && !outlier) return;
    this.inheritable = { hosts: new Map(old.hosts.map((h) => [h.hostname, h])), activeChecks, outlier };
    for (const host of this.current) this.inherit(host);
    this.onHostsChanged();
  }

  private inherit(host: Host): void {
    const { hosts, activeChecks, outlier } = this.inheritable!;
    const old = hosts.get(host.hostname);
    if (old !== undefined) host.health.inheritFrom(old.health, activeChecks, outlier);
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
    this.stats.membership_change.inc();
    this.healthChecker?.sync(hosts);
    this.outlierDetector?.sync(hosts);
    this.onHostsChanged();
  }

  /** Starts active health checks and the outlier detection interval. */
  start(): void {
    this.inheritable = null;
    // From here this object's hosts are the cluster's: its gauges say so, whatever a draining predecessor does.
    for (const name of LIVE_GAUGES) this.stats[name].claim(this);
    this.publishGauges();
    this.healthChecker?.start(this.hosts);
    this.outlierDetector?.start();
  }

  /** Settles when every host has had its first active check (at once without checks). */
  firstHealthCheckRound(): Promise<void> {
    // After a reload, hosts whose state was inherited need no first check to be known.
    if (this.healthChecker === null || this.current.every((h) => h.health.inherited)) return Promise.resolve();
    return this.healthChecker.firstRound();
  }

  /**
   * Call after the host set or any host's health changed: priority load and panic are computed again and
   * each level's balancer rebuilds over the hosts it may pick.
   */
  onHostsChanged(): void {
    const byPriority = new Map<number, Host[]>();
    for (const host of this.current) {
      const list = byPriority.get(host.priority);
      if (list === undefined) byPriority.set(host.priority, [host]);
      else list.push(host);
    }
    const priorities = [...byPriority.keys()].sort((a, b) => a - b);
    const groups = priorities.map((p) => byPriority.get(p)!);
    const counts = groups.map((hosts) => ({ total: hosts.length, healthy: hosts.filter((h) => h.healthy).length }));
    const { load, health, panic } = computePriorityLoad(counts, this.panicThreshold);
    this.soleLevel = null;
    this.levels = priorities.map((priority, i) => {
      const lb = this.balancerFor(priority);
      lb.rebuild(groups[i].filter(panic[i] ? (h) => h.health.panicEligible : (h) => h.healthy));
      const level: PriorityLevel = { priority, hosts: groups[i], healthy: counts[i].healthy, health: health[i], load: load[i], panic: panic[i], lb };
      if (load[i] === 100) this.soleLevel = level;
      return level;
    });
    this.publishGauges();
  }

  /** membership_total, membership_healthy and ejections_active from the hosts (if this object owns them). */
  private publishGauges(): void {
    let healthy = 0;
    for (const level of this.levels) healthy += level.healthy;
    let ejected = 0;
    for (const host of this.current) if (host.health.ejection !== null) ejected++;
    this.stats.membership_total.setBy(this, this.current.length);
    this.stats.membership_healthy.setBy(this, healthy);
    this.stats['outlier_detection.ejections_active'].setBy(this, ejected);
  }

  /**
   * The host for one try, or null when none is available (the router answers 503, flag UH).
   * `hashKey` comes from the route's hash_policy (see hashString); `exclude` holds the hosts already tried.
   */
  chooseHost(hashKey: number | undefined, exclude: ReadonlySet<Host> | null): Host | null {
    const level = this.soleLevel ?? this.drawLevel(hashKey);
    if (level === null) return null;
    if (level.panic) this.stats.lb_healthy_panic.inc();
    const host = level.lb.pick(hashKey, exclude);
    if (host === null || exclude === null || !exclude.has(host)) return host;
    // A retry that already tried every host this level may pick goes to another level with an untried host
    // (what Envoy's previous_priorities retry plugin does), rather than back to a host that just failed.
    for (const other of this.levels) {
      if (other === level) continue;
      const untried = other.lb.pick(hashKey, exclude);
      if (untried !== null && !exclude.has(untried)) return untried;
    }
    return host;
  }

  /** The router calls this when a try is sent to `host`, and requestFinished when that try has ended. */
  requestStarted(host: Host): void {
    host.activeRequests++;
    host.totalRequests++;
    this.stats.upstream_rq_total.inc();
  }

  requestFinished(host: Host): void {
    host.activeRequests--;
  }

  /** How one try to `host` ended: its response status, or the local-origin failure. Feeds outlier detection. */
  reportResult(host: Host, outcome: AttemptOutcome): void {
    if (typeof outcome === 'number' && outcome < 500) host.rqSuccess++;
    else host.rqError++;
    this.outlierDetector?.report(host, outcome);
  }

  hadTraffic(): boolean {
    return this.stats.upstream_rq_total.value > 0;
  }

  activeCheckPassed(host: Host): void {
    this.outlierDetector?.activeCheckPassed(host);
  }

  // A connection opened or closed in a host's pool (undici's events): upstream_cx_total and upstream_cx_active.
  private readonly onPoolConnect = (): void => {
    this.stats.upstream_cx_total.inc();
    this.stats.upstream_cx_active.add(1);
  };
  private readonly onPoolDisconnect = (): void => {
    this.stats.upstream_cx_active.add(-1);
  };

  /** Stops checks and timers, and closes every pool (current and draining) once its in-flight requests are done. Idempotent. */
  async close(): Promise<void> {
    for (const name of LIVE_GAUGES) this.stats[name].release(this);
    this.healthChecker?.stop();
    this.outlierDetector?.stop();
    await Promise.all([...this.hosts, ...this.draining].map((h) => h.close()));
  }

  private balancerFor(priority: number): LoadBalancer {
    let lb = this.balancers.get(priority);
    if (lb === undefined) {
      lb = createLoadBalancer(this.config);
      this.balancers.set(priority, lb);
    }
    return lb;
  }

  /** A level drawn by priority load (by the request's hash when it has one, as Envoy does). */
  private drawLevel(hashKey: number | undefined): PriorityLevel | null {
    const draw = hashKey === undefined ? Math.random() * 100 : (hashKey >>> 0) % 100;
    let upTo = 0;
    for (const level of this.levels) {
      upTo += level.load;
      if (draw < upTo) return level;
    }
    return null;
  }
}
