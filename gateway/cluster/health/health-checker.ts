// Active health checking of one cluster's hosts (Envoy's HealthCheck). Each host has its own session: the
// first check after a random initial_jitter, the next one scheduled only when the last has finished (a slow
// check never starts a second one), at interval / unhealthy_interval / the edge intervals / no_traffic_interval,
// plus jitter. Thresholds as Envoy: one pass marks a host pending its first check healthy; a status outside
// expected_statuses fails it at once; network failures and timeouts count against unhealthy_threshold.
import type { Logger } from 'pino';
import type { HealthCheckConfig } from '../../config/types.js';
import { parseDuration } from '../../config/duration.js';
import type { ClusterStats } from '../cluster-stats.js';
import type { Host } from '../host.js';
import { createProbe, type Probe, type ProbeResult } from './probe.js';
import type { UpstreamTls } from '../upstream-tls.js';

/** What the checker needs from its cluster. */
export interface HealthCheckTarget {
  readonly name: string;
  readonly stats: ClusterStats;
  /** Whether any request was ever sent to the cluster (until then no_traffic_interval applies). */
  hadTraffic(): boolean;
  /** A host's availability changed. */
  onHostsChanged(): void;
  /** A check passed: outlier detection may un-eject the host (successful_active_health_check_uneject_host). */
  activeCheckPassed(host: Host): void;
  /** The cluster's transport_socket tls: HTTP checks use it too. */
  readonly tls?: UpstreamTls | null;
}

interface Intervals {
  interval: number;
  unhealthy: number;
  unhealthyEdge: number;
  healthyEdge: number;
  noTraffic: number;
  noTrafficHealthy: number;
  jitter: number;
  jitterPercent: number;
  initialJitter: number;
}

class Session {
  timer: NodeJS.Timeout | null = null;
  stopped = false;
  firstCheckDone = false;
  private resolveFirst!: () => void;
  readonly firstCheck = new Promise<void>((resolve) => (this.resolveFirst = resolve));

  constructor(readonly host: Host) {}

  markFirstCheckDone(): void {
    this.firstCheckDone = true;
    this.resolveFirst();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.resolveFirst();
  }
}

export class HealthChecker {
  readonly timeoutMs: number;
  readonly initialJitterMs: number;
  private readonly intervals: Intervals;
  private readonly sessions = new Map<Host, Session>();
  private readonly probe: Probe;
  private running = false;

  constructor(
    private readonly target: HealthCheckTarget,
    private readonly config: HealthCheckConfig,
    private readonly log: Logger | null,
  ) {
    this.probe = createProbe(config, target.name, target.tls ?? null);
    this.timeoutMs = parseDuration(config.timeout);
    const interval = parseDuration(config.interval);
    const unhealthy = optionalMs(config.unhealthy_interval) ?? interval;
    const noTraffic = parseDuration(config.no_traffic_interval);
    this.intervals = {
      interval,
      unhealthy,
      unhealthyEdge: optionalMs(config.unhealthy_edge_interval) ?? unhealthy,
      healthyEdge: optionalMs(config.healthy_edge_interval) ?? interval,
      noTraffic,
      noTrafficHealthy: optionalMs(config.no_traffic_healthy_interval) ?? noTraffic,
      jitter: parseDuration(config.interval_jitter),
      jitterPercent: config.interval_jitter_percent,
      initialJitter: parseDuration(config.initial_jitter),
    };
    this.initialJitterMs = this.intervals.initialJitter;
  }

  /** The state a new host starts in: pending its first check, or healthy when `initially_healthy`. */
  prepare(host: Host): void {
    host.health.startActiveChecks(this.config.initially_healthy);
  }

  /** Starts checking `hosts`. */
  start(hosts: readonly Host[]): void {
    this.running = true;
    this.sync(hosts);
  }

  /** The host set changed: new hosts get a session, removed ones lose theirs. */
  sync(hosts: readonly Host[]): void {
    if (!this.running) return;
    const keep = new Set(hosts);
    for (const [host, session] of this.sessions) {
      if (keep.has(host)) continue;
      session.stop();
      this.sessions.delete(host);
    }
    for (const host of hosts) {
      if (this.sessions.has(host)) continue;
      const session = new Session(host);
      this.sessions.set(host, session);
      this.schedule(session, Math.random() * this.intervals.initialJitter);
    }
    this.countHealthy();
  }

  /** The health_check.healthy gauge. */
  private countHealthy(): void {
    let healthy = 0;
    for (const s of this.sessions.values()) if (s.host.health.active === 'healthy') healthy++;
    this.target.stats['health_check.healthy'].setBy(this.target, healthy);
  }

  /** Settles once every current host has finished its first check (each is bounded by initial_jitter + timeout). */
  firstRound(): Promise<void> {
    return Promise.all([...this.sessions.values()].map((s) => s.firstCheck)).then(() => undefined);
  }

  stop(): void {
    this.running = false;
    for (const session of this.sessions.values()) session.stop();
    this.sessions.clear();
  }

  private schedule(session: Session, delayMs: number): void {
    session.timer = setTimeout(() => void this.run(session), delayMs);
    session.timer.unref();
  }

  private async run(session: Session): Promise<void> {
    session.timer = null;
    if (session.stopped) return;
    const { host } = session;
    this.target.stats['health_check.attempt'].inc();
    const result = await this.probe.check(host.address, host.port);
    if (session.stopped) return;
    const changed = this.apply(host, result);
    session.markFirstCheckDone();
    this.schedule(session, this.nextDelay(host, changed));
  }

  /** Updates the host from one result; true when its active state changed. */
  private apply(host: Host, result: ProbeResult): boolean {
    const h = host.health;
    const stats = this.target.stats;
    const wasAvailable = h.available;
    const before = h.active;
    h.lastCheckAt = Date.now();
    if (result.outcome === 'ok') {
      stats['health_check.success'].inc();
      h.consecutiveCheckFailures = 0;
      h.consecutiveCheckSuccesses++;
      h.everPassed = true;
      if (h.active === 'pending' || (h.active === 'unhealthy' && h.consecutiveCheckSuccesses >= this.config.healthy_threshold))
        h.setActive('healthy');
      this.target.activeCheckPassed(host);
    } else {
      stats['health_check.failure'].inc();
      if (result.outcome === 'network') stats['health_check.network_failure'].inc();
      h.consecutiveCheckSuccesses = 0;
      h.consecutiveCheckFailures++;
      h.lastCheckError = result.error;
      if (h.active === 'pending') h.setActive('unhealthy');
      else if (h.active === 'healthy' && (result.outcome === 'status' || h.consecutiveCheckFailures >= this.config.unhealthy_threshold))
        h.setActive('unhealthy');
    }
    const changed = h.active !== before;
    if (changed) {
      this.countHealthy();
      const fields = { cluster: this.target.name, host: host.hostname, error: h.lastCheckError };
      if (h.active === 'healthy') this.log?.info(fields, 'host passed its active health check');
      else if (before === 'healthy') this.log?.warn(fields, 'host failed its active health check');
    }
    if (h.available !== wasAvailable) this.target.onHostsChanged();
    return changed;
  }

  private nextDelay(host: Host, changed: boolean): number {
    const i = this.intervals;
    const healthy = host.health.active === 'healthy';
    let base: number;
    if (!this.target.hadTraffic()) base = healthy ? i.noTrafficHealthy : i.noTraffic;
    else if (changed) base = healthy ? i.healthyEdge : i.unhealthyEdge;
    else base = healthy ? i.interval : i.unhealthy;
    return base + Math.random() * i.jitter + (Math.random() * base * i.jitterPercent) / 100;
  }
}

function optionalMs(d: string | undefined): number | undefined {
  return d === undefined ? undefined : parseDuration(d);
}
