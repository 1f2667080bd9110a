// Outlier detection (passive health checking) of one cluster, with Envoy's rules, defaults and stats:
// consecutive_5xx / consecutive_gateway_failure / consecutive_local_origin_failure eject inline, when the
// count is reached; success_rate and failure_percentage are evaluated every `interval` over the results of
// the interval that just ended. An ejection lasts base_ejection_time × the host's ejection multiplier (capped by
// max_ejection_time; the multiplier decays by one per interval out of ejection) and ends at the first interval
// tick past it. Ejection respects max_ejection_percent (Envoy's current rule: ejecting one more host must not
// exceed it, unless always_eject_one_host and none is ejected) and the enforcing_* percentages; a rule that
// fires without ejecting is remembered on the host (HostHealth.lastSpared) so /clusters can say so.
import type { Logger } from 'pino';
import type { OutlierDetectionConfig } from '../../config/types.js';
import { parseDuration } from '../../config/duration.js';
import type { ClusterStats } from '../cluster-stats.js';
import type { OutlierRule } from '../host-health.js';
import type { Host } from '../host.js';
import { successRateOutliers, type HostRate } from './success-rate.js';

/** A try that failed before any response came: the router's connect / reset / timeout. */
export type LocalOriginFailure = 'connect' | 'reset' | 'timeout';

/** What the router reports for every try: the response status, or how it failed without one. */
export type AttemptOutcome = number | LocalOriginFailure;

export interface OutlierTarget {
  readonly name: string;
  readonly stats: ClusterStats;
  readonly hosts: readonly Host[];
  onHostsChanged(): void;
}

/** Per host: consecutive counters and this interval's success-rate buckets. */
class HostMonitor {
  consecutive5xx = 0;
  consecutiveGateway = 0;
  consecutiveLocal = 0;
  lastFailure = '';
  externalSuccess = 0;
  externalTotal = 0;
  localSuccess = 0;
  localTotal = 0;

  resetBuckets(): void {
    this.externalSuccess = this.externalTotal = this.localSuccess = this.localTotal = 0;
  }
}

export class OutlierDetector {
  private readonly monitors = new Map<Host, HostMonitor>();
  private readonly intervalMs: number;
  private readonly baseEjectionMs: number;
  private readonly maxEjectionMs: number;
  private readonly split: boolean;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly target: OutlierTarget,
    private readonly config: OutlierDetectionConfig,
    private readonly log: Logger | null,
  ) {
    this.intervalMs = parseDuration(config.interval);
    this.baseEjectionMs = parseDuration(config.base_ejection_time);
    this.maxEjectionMs = Math.max(this.baseEjectionMs, parseDuration(config.max_ejection_time));
    this.split = config.split_external_local_origin_errors;
    this.sync(target.hosts);
  }

  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => this.tick(Date.now()), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** The host set changed: monitors follow it; a removed ejected host no longer counts as ejected. */
  sync(hosts: readonly Host[]): void {
    const keep = new Set(hosts);
    for (const host of this.monitors.keys()) {
      if (keep.has(host)) continue;
      this.monitors.delete(host);
    }
    for (const host of hosts) if (!this.monitors.has(host)) this.monitors.set(host, new HostMonitor());
  }

  /** One try's outcome. Called on the request path: counters only, no allocation. */
  report(host: Host, outcome: AttemptOutcome): void {
    const m = this.monitors.get(host);
    if (m === undefined || host.health.ejection !== null) return;
    if (typeof outcome === 'number') {
      if (this.split) {
        // A response means the connection worked: a local-origin success.
        m.localSuccess++;
        m.localTotal++;
        m.consecutiveLocal = 0;
      }
      this.external(host, m, outcome, null);
    } else if (this.split) {
      m.localTotal++;
      m.lastFailure = outcome;
      if (++m.consecutiveLocal === this.config.consecutive_local_origin_failure) {
        m.consecutiveLocal = 0;
        this.eject(host, 'consecutive_local_origin_failure', `${this.config.consecutive_local_origin_failure} consecutive local-origin failures, last: ${outcome}`);
      }
    } else {
      // Without the split, local-origin failures count as the gateway errors Envoy maps them to.
      this.external(host, m, outcome === 'timeout' ? 504 : 503, outcome);
    }
  }

  /** An active health check passed on `host`: un-eject it when so configured. */
  activeCheckPassed(host: Host): void {
    if (host.health.ejection !== null && this.config.successful_active_health_check_uneject_host)
      this.uneject(host, 'it passed an active health check');
  }

  private external(host: Host, m: HostMonitor, status: number, local: LocalOriginFailure | null): void {
    m.externalTotal++;
    if (status < 500) {
      m.externalSuccess++;
      m.consecutive5xx = 0;
      m.consecutiveGateway = 0;
      return;
    }
    m.lastFailure = local ?? String(status);
    const c = this.config;
    if (status >= 502 && status <= 504) {
      if (++m.consecutiveGateway === c.consecutive_gateway_failure) {
        m.consecutiveGateway = 0;
        this.eject(host, 'consecutive_gateway_failure', `${c.consecutive_gateway_failure} consecutive gateway errors, last: ${m.lastFailure}`);
      }
    } else m.consecutiveGateway = 0;
    if (++m.consecutive5xx === c.consecutive_5xx) {
      m.consecutive5xx = 0;
      this.eject(host, 'consecutive_5xx', `${c.consecutive_5xx} consecutive 5xx, last: ${m.lastFailure}`);
    }
  }

  /** One interval: end elapsed ejections, decay multipliers, evaluate the rate rules, start new buckets. */
  tick(now: number): void {
    for (const host of this.monitors.keys()) {
      const h = host.health;
      if (h.ejection !== null) {
        if (now >= h.ejection.until) this.uneject(host, 'its ejection time elapsed');
      } else if (h.ejectionMultiplier > 0) h.ejectionMultiplier--;
    }
    this.rateRules(false);
    if (this.split) this.rateRules(true);
    for (const m of this.monitors.values()) m.resetBuckets();
  }

  private rateRules(local: boolean): void {
    const c = this.config;
    const rates: HostRate[] = [];
    for (const [host, m] of this.monitors) {
      if (host.health.ejection !== null) continue;
      const total = local ? m.localTotal : m.externalTotal;
      if (total === 0) continue;
      rates.push({ host, total, rate: (100 * (local ? m.localSuccess : m.externalSuccess)) / total });
    }
    const sr = successRateOutliers(rates, c.success_rate_minimum_hosts, c.success_rate_request_volume, c.success_rate_stdev_factor / 1000);
    for (const o of sr) {
      const detail = `success rate ${o.rate.toFixed(1)}% < threshold ${o.threshold.toFixed(1)}% (mean ${o.mean.toFixed(1)}%, ${o.hosts} hosts)`;
      this.eject(o.host, local ? 'local_origin_success_rate' : 'success_rate', detail);
    }
    const volume = rates.filter((r) => r.total >= c.failure_percentage_request_volume);
    if (volume.length < c.failure_percentage_minimum_hosts) return;
    for (const r of volume) {
      const failed = 100 - r.rate;
      if (failed >= c.failure_percentage_threshold)
        this.eject(
          r.host,
          local ? 'failure_percentage_local_origin' : 'failure_percentage',
          `${failed.toFixed(1)}% of ${r.total} requests failed (threshold ${c.failure_percentage_threshold}%)`,
        );
    }
  }

  private eject(host: Host, rule: OutlierRule, detail: string): void {
    const h = host.health;
    if (h.ejection !== null) return;
    const stats = this.target.stats;
    stats[`outlier_detection.ejections_detected_${rule}`].inc();
    const now = Date.now();
    const enforcing = this.config[`enforcing_${rule}`];
    if (enforcing < 100 && Math.random() * 100 >= enforcing) {
      h.lastSpared = { rule, at: now, reason: `${detail}; not ejected: enforcing_${rule} is ${enforcing}%` };
      return;
    }
    // Counted here, not read from the ejections_active gauge (which the cluster publishes): hosts may have
    // arrived ejected from the previous cluster object of a reload.
    let active = 0;
    for (const other of this.monitors.keys()) if (other.health.ejection !== null) active++;
    const total = this.monitors.size;
    const max = this.config.max_ejection_percent;
    if ((100 * (active + 1)) / total > max && !(this.config.always_eject_one_host && active === 0)) {
      stats['outlier_detection.ejections_overflow'].inc();
      const share = ((100 * (active + 1)) / total).toFixed(0);
      h.lastSpared = {
        rule,
        at: now,
        reason: `${detail}; not ejected: max_ejection_percent is ${max}% and ejecting it would make ${active + 1} of ${total} hosts (${share}%)`,
      };
      this.log?.warn({ cluster: this.target.name, host: host.hostname, rule }, 'outlier not ejected: max_ejection_percent reached');
      return;
    }
    h.ejectionMultiplier++;
    h.timesEjected++;
    const ms = Math.min(this.baseEjectionMs * h.ejectionMultiplier, this.maxEjectionMs);
    h.ejection = { rule, detail, at: now, until: now + ms };
    stats['outlier_detection.ejections_total'].inc();
    stats['outlier_detection.ejections_enforced_total'].inc();
    stats[`outlier_detection.ejections_enforced_${rule}`].inc();
    this.log?.warn({ cluster: this.target.name, host: host.hostname, rule, detail, ejection_ms: ms }, 'host ejected');
    this.target.onHostsChanged();
  }

  private uneject(host: Host, why: string): void {
    const m = this.monitors.get(host);
    if (m !== undefined) m.consecutive5xx = m.consecutiveGateway = m.consecutiveLocal = 0;
    host.health.ejection = null;
    this.log?.info({ cluster: this.target.name, host: host.hostname }, `host back in rotation: ${why}`);
    this.target.onHostsChanged();
  }
}
