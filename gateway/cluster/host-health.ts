// Why a host may or may not take traffic: the state active health checks and outlier detection keep on it,
// with the facts /clusters shows (last check error, consecutive failures, which outlier rule, until when).
// Whoever changes it calls `cluster.onHostsChanged()` so the load balancers rebuild.

/** The outlier detection rules, named as Envoy's `ejections_enforced_<rule>` stats. */
export type OutlierRule =
  | 'consecutive_5xx'
  | 'consecutive_gateway_failure'
  | 'consecutive_local_origin_failure'
  | 'success_rate'
  | 'local_origin_success_rate'
  | 'failure_percentage'
  | 'failure_percentage_local_origin';

/** none: the cluster has no active checks. pending: not checked yet (Envoy's PENDING_ACTIVE_HC). */
export type ActiveCheckState = 'none' | 'pending' | 'healthy' | 'unhealthy';

export interface Ejection {
  readonly rule: OutlierRule;
  /** What the rule saw, e.g. "5 consecutive 5xx" or "success rate 41.0% < threshold 87.2%". */
  readonly detail: string;
  /** Epoch ms. */
  readonly at: number;
  /** Epoch ms; the host comes back at the first outlier interval tick at or after it. */
  readonly until: number;
}

/** A rule fired but the host stayed in rotation (max_ejection_percent, enforcing_* percentage). */
export interface SparedEjection {
  readonly rule: OutlierRule;
  readonly reason: string;
  readonly at: number;
}

export class HostHealth {
  active: ActiveCheckState = 'none';
  /** A check ever passed (or the host started healthy): only such hosts take traffic in panic mode. */
  everPassed = false;
  consecutiveCheckFailures = 0;
  consecutiveCheckSuccesses = 0;
  lastCheckError: string | null = null;
  /** Epoch ms of the last finished check, 0 before the first. */
  lastCheckAt = 0;
  /** Epoch ms when `active` last changed. */
  activeSince = Date.now();

  ejection: Ejection | null = null;
  /** Envoy's ejection multiplier: base_ejection_time × this; decays by one per outlier interval out of ejection. */
  ejectionMultiplier = 0;
  /** Ejections over the host's life. */
  timesEjected = 0;
  lastSpared: SparedEjection | null = null;
  /** Carried over from the same host under the config before a reload (see `inheritFrom`). */
  inherited = false;

  /**
   * Reload: takes over what the same host had under the previous config, the active-check part when the
   * health checks did not change, the outlier part when outlier detection did not, so a reload neither sends
   * traffic to a host known dead nor holds back a host known alive until the first check.
   */
  inheritFrom(old: HostHealth, activeChecks: boolean, outlier: boolean): void {
    if (activeChecks) {
      this.active = old.active;
      this.everPassed = old.everPassed;
      this.consecutiveCheckFailures = old.consecutiveCheckFailures;
      this.consecutiveCheckSuccesses = old.consecutiveCheckSuccesses;
      this.lastCheckError = old.lastCheckError;
      this.lastCheckAt = old.lastCheckAt;
      this.activeSince = old.activeSince;
    }
    if (outlier) {
      this.ejection = old.ejection;
      this.ejectionMultiplier = old.ejectionMultiplier;
      this.timesEjected = old.timesEjected;
      this.lastSpared = old.lastSpared;
    }
    this.inherited = true;
  }

  /** Puts the host under active checking: pending its first check, or healthy when configured so. */
  startActiveChecks(initiallyHealthy: boolean): void {
    this.setActive(initiallyHealthy ? 'healthy' : 'pending');
    this.everPassed = initiallyHealthy;
  }

  setActive(state: ActiveCheckState): void {
    if (state === this.active) return;
    this.active = state;
    this.activeSince = Date.now();
  }

  get failedActiveCheck(): boolean {
    return this.active === 'pending' || this.active === 'unhealthy';
  }

  /** May take traffic: passes its active checks (or has none) and is not ejected. */
  get available(): boolean {
    return !this.failedActiveCheck && this.ejection === null;
  }

  /** May take traffic when its priority is in panic: never a host that was never seen alive. */
  get panicEligible(): boolean {
    return this.active === 'none' || this.everPassed;
  }

  /** Envoy's health flags as /clusters prints them; empty when healthy. */
  flags(): string[] {
    const flags: string[] = [];
    if (this.failedActiveCheck) flags.push('failed_active_hc');
    if (this.active === 'pending') flags.push('pending_active_hc');
    if (this.ejection !== null) flags.push('failed_outlier_check');
    return flags;
  }

  /** Sentences saying why the host is out of rotation; empty when it is in. */
  why(): string[] {
    const reasons: string[] = [];
    if (this.active === 'pending') reasons.push('waiting for its first active health check to pass');
    if (this.active === 'unhealthy') {
      const since = new Date(this.activeSince).toISOString();
      const last = this.lastCheckError === null ? '' : `; last error: ${this.lastCheckError}`;
      const seen = this.everPassed ? '' : ' (never passed one)';
      reasons.push(`failed active health check${seen}: ${this.consecutiveCheckFailures} consecutive failure(s), unhealthy since ${since}${last}`);
    }
    const e = this.ejection;
    if (e !== null)
      reasons.push(
        `ejected by outlier detection rule ${e.rule} (${e.detail}) at ${new Date(e.at).toISOString()} until ${new Date(e.until).toISOString()}, ejection #${this.timesEjected}`,
      );
    return reasons;
  }
}
