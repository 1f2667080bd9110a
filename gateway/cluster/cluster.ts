// One upstream cluster: its hosts grouped by priority, a load balancer per priority level, Envoy's priority
// load and panic threshold over them, active health checks, outlier detection, circuit breakers and stats.
import type { Logger } from 'pino';
import type { ClusterConfig, EndpointConfig } from '../config/types.js';
import { parseDuration } from '../config/duration.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { newClusterStats, type ClusterStats } from './cluster-stats.js';
import { HealthChecker, type HealthCheckTarget } from './health/health-checker.js';
import { Host, type HostPoolOptions } from './host.js';
import { createLoadBalancer } from './lb/create-load-balancer.js';
import type { LoadBalancer } from './lb/load-balancer.js';
import { OutlierDetector, type AttemptOutcome, type OutlierTarget } from './outlier/outlier-detector.js';
import { computePriorityLoad } from './priority-load.js';

// Envoy's upstream idle default is 1h; an idle socket kept that long is likely dead at the server (which
// undici would only learn on reuse), so keep-alive is capped at undici's own ceiling for server hints.
const MAX_KEEP_ALIVE_MS = 600_000;

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
  readonly stats: ClusterStats = newClusterStats();
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
  /** Removed hosts whose pools are still finishing their in-flight requests. */
  private readonly draining = new Set<Host>();

  constructor(
    readonly config: ClusterConfig,
    log: Logger | null = null,
  ) {
    this.name = config.name;
    this.breaker = new CircuitBreaker(config.circuit_breakers);
    this.panicThreshold = config.common_lb_config?.healthy_panic_threshold.value ?? 50;
    const idleMs = parseDuration(config.common_http_protocol_options?.idle_timeout ?? '1h');
    this.poolOptions = {
      connections: this.breaker.maxConnections,
      connectTimeoutMs: parseDuration(config.connect_timeout),
      // 0 means "no idle timeout" in Envoy: the longest we allow.
      keepAliveTimeoutMs: idleMs > 0 ? Math.min(idleMs, MAX_KEEP_ALIVE_MS) : MAX_KEEP_ALIVE_MS,
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
    this.healthChecker?.prepare(host);
    return host;
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
    this.healthChecker?.sync(hosts);
    this.outlierDetector?.sync(hosts);
    this.onHostsChanged();
  }

  /** Starts active health checks and the outlier detection interval. */
  start(): void {
    this.healthChecker?.start(this.hosts);
    this.outlierDetector?.start();
  }

  /** Settles when every host has had its first active check (at once without checks). */
  firstHealthCheckRound(): Promise<void> {
    return this.healthChecker?.firstRound() ?? Promise.resolve();
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
    let healthy = 0;
    this.soleLevel = null;
    this.levels = priorities.map((priority, i) => {
      const lb = this.balancerFor(priority);
      lb.rebuild(groups[i].filter(panic[i] ? (h) => h.health.panicEligible : (h) => h.healthy));
      healthy += counts[i].healthy;
      const level: PriorityLevel = { priority, hosts: groups[i], healthy: counts[i].healthy, health: health[i], load: load[i], panic: panic[i], lb };
      if (load[i] === 100) this.soleLevel = level;
      return level;
    });
    this.stats.membership_healthy = healthy;
  }

  /**
   * The host for one try, or null when none is available (the router answers 503, flag UH).
   * `hashKey` comes from the route's hash_policy (see hashString); `exclude` holds the hosts already tried.
   */
  chooseHost(hashKey: number | undefined, exclude: ReadonlySet<Host> | null): Host | null {
    const level = this.soleLevel ?? this.drawLevel(hashKey);
    if (level === null) return null;
    if (level.panic) this.stats.lb_healthy_panic++;
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
    this.stats.upstream_rq_total++;
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
    return this.stats.upstream_rq_total > 0;
  }

  activeCheckPassed(host: Host): void {
    this.outlierDetector?.activeCheckPassed(host);
  }

  /** Stops checks and timers, and closes every pool (current and draining) once its in-flight requests are done. Idempotent. */
  async close(): Promise<void> {
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
