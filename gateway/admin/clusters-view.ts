// /clusters: every cluster and host, and why a host is or is not taking traffic (failed active check,
// outlier ejection by which rule and until when, a rule that fired but was not enforced, panic mode,
// a priority level that gets no load). JSON, and Envoy's `cluster::host::field::value` text lines.
import type { Cluster, PriorityLevel } from '../cluster/cluster.js';
import type { Host } from '../cluster/host.js';

export interface HostView {
  address: string;
  weight: number;
  priority: number;
  locality: Record<string, string>;
  /** Passes its active checks (if any) and is not ejected. */
  healthy: boolean;
  /** Whether the load balancer may pick it now (healthy, or panic mode on its level and seen alive). */
  in_rotation: boolean;
  /** Envoy's flags: failed_active_hc, pending_active_hc, failed_outlier_check; empty when healthy. */
  health_flags: string[];
  /** Why it is out of rotation, or in it only by panic, or idle by priority. */
  why: string[];
  active_health_check: {
    state: string;
    consecutive_failures: number;
    consecutive_successes: number;
    last_error: string | null;
    last_check: string | null;
    state_since: string;
  } | null;
  outlier_detection: {
    ejected: { rule: string; detail: string; at: string; until: string } | null;
    times_ejected: number;
    ejection_multiplier: number;
    last_not_ejected: { rule: string; reason: string; at: string } | null;
  } | null;
  active_requests: number;
  total_requests: number;
  rq_success: number;
  rq_error: number;
  /** Percent of reported tries answered below 500; null before any. */
  success_rate: number | null;
}

export interface ClusterView {
  name: string;
  lb_policy: string;
  healthy_panic_threshold: number;
  /** Some level that takes traffic is in panic mode. */
  panic: boolean;
  priorities: { priority: number; hosts: number; healthy: number; health: number; load: number; panic: boolean }[];
  active_health_checks: boolean;
  outlier_detection: boolean;
  hosts: HostView[];
}

export function clusterView(cluster: Cluster): ClusterView {
  const levels = cluster.priorityLevels;
  const levelOf = new Map<Host, PriorityLevel>();
  for (const level of levels) for (const host of level.hosts) levelOf.set(host, level);
  return {
    name: cluster.name,
    lb_policy: cluster.config.lb_policy,
    healthy_panic_threshold: cluster.panicThreshold,
    panic: levels.some((l) => l.panic && l.load > 0),
    priorities: levels.map((l) => ({ priority: l.priority, hosts: l.hosts.length, healthy: l.healthy, health: l.health, load: l.load, panic: l.panic })),
    active_health_checks: cluster.healthChecker !== null,
    outlier_detection: cluster.outlierDetector !== null,
    hosts: cluster.hosts.map((h) => hostView(cluster, h, levelOf.get(h))),
  };
}

function hostView(cluster: Cluster, host: Host, level: PriorityLevel | undefined): HostView {
  const h = host.health;
  const why = h.why();
  if (h.lastSpared !== null && h.ejection === null)
    why.push(`outlier rule ${h.lastSpared.rule} fired at ${iso(h.lastSpared.at)}: ${h.lastSpared.reason}`);
  let inRotation = host.healthy;
  if (level !== undefined) {
    if (level.panic) {
      inRotation = h.panicEligible;
      why.push(
        `priority ${level.priority} is in panic mode (${level.healthy} of ${level.hosts.length} hosts healthy, under the ${cluster.panicThreshold}% healthy_panic_threshold): ` +
          (h.panicEligible ? 'it takes traffic whatever its health' : 'but it was never seen alive, so it takes none'),
      );
    }
    if (level.load === 0 && inRotation) why.push(`priority ${level.priority} gets 0% of the load: the levels before it are healthy enough`);
  }
  const reported = host.rqSuccess + host.rqError;
  return {
    address: host.hostname,
    weight: host.weight,
    priority: host.priority,
    locality: { ...host.locality },
    healthy: host.healthy,
    in_rotation: inRotation && (level?.load ?? 0) > 0,
    health_flags: h.flags(),
    why,
    active_health_check:
      h.active === 'none'
        ? null
        : {
            state: h.active,
            consecutive_failures: h.consecutiveCheckFailures,
            consecutive_successes: h.consecutiveCheckSuccesses,
            last_error: h.lastCheckError,
            last_check: h.lastCheckAt === 0 ? null : iso(h.lastCheckAt),
            state_since: iso(h.activeSince),
          },
    outlier_detection:
      cluster.outlierDetector === null
        ? null
        : {
            ejected: h.ejection === null ? null : { rule: h.ejection.rule, detail: h.ejection.detail, at: iso(h.ejection.at), until: iso(h.ejection.until) },
            times_ejected: h.timesEjected,
            ejection_multiplier: h.ejectionMultiplier,
            last_not_ejected: h.lastSpared === null ? null : { rule: h.lastSpared.rule, reason: h.lastSpared.reason, at: iso(h.lastSpared.at) },
          },
    active_requests: host.activeRequests,
    total_requests: host.totalRequests,
    rq_success: host.rqSuccess,
    rq_error: host.rqError,
    success_rate: reported === 0 ? null : Math.round((10_000 * host.rqSuccess) / reported) / 100,
  };
}

/** Envoy's text format: one `cluster::[host::]field::value` line per fact. */
export function clustersText(views: readonly ClusterView[]): string {
  const lines: string[] = [];
  for (const c of views) {
    lines.push(`${c.name}::healthy_panic_threshold::${c.healthy_panic_threshold}`, `${c.name}::panic::${c.panic}`);
    for (const p of c.priorities)
      lines.push(`${c.name}::priority::${p.priority}::load::${p.load}`, `${c.name}::priority::${p.priority}::health::${p.health}`, `${c.name}::priority::${p.priority}::panic::${p.panic}`);
    for (const h of c.hosts) {
      const p = `${c.name}::${h.address}::`;
      lines.push(`${p}weight::${h.weight}`, `${p}priority::${h.priority}`);
      for (const [k, v] of Object.entries(h.locality)) lines.push(`${p}${k}::${v}`);
      lines.push(
        `${p}health_flags::${h.health_flags.length === 0 ? 'healthy' : h.health_flags.map((f) => `/${f}`).join('')}`,
        `${p}in_rotation::${h.in_rotation}`,
        `${p}rq_active::${h.active_requests}`,
        `${p}rq_total::${h.total_requests}`,
        `${p}rq_success::${h.rq_success}`,
        `${p}rq_error::${h.rq_error}`,
      );
      if (h.success_rate !== null) lines.push(`${p}success_rate::${h.success_rate}`);
      for (const reason of h.why) lines.push(`${p}why::${reason}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
