// /clusters of `--workers N`: every worker runs its own health checks and outlier detection, so the primary
// merges their views host by host with the worst view winning: a host is healthy, in rotation, or a level in
// panic only if every worker sees it so; flags are the union; each reason says which worker gave it; request
// counts are summed.
import type { ClusterView, HostView } from '../admin/clusters-view.js';

/** `perWorker[i]` is worker i's view (worker ids in `ids`). */
export function mergeClusterViews(perWorker: readonly (readonly ClusterView[])[], ids: readonly number[]): ClusterView[] {
  const merged = new Map<string, ClusterView>();
  perWorker.forEach((views, i) => {
    for (const view of views) {
      const tagged = tagReasons(view, ids[i]!);
      const seen = merged.get(view.name);
      merged.set(view.name, seen === undefined ? tagged : mergeCluster(seen, tagged));
    }
  });
  return [...merged.values()];
}

function tagReasons(view: ClusterView, id: number): ClusterView {
  return { ...view, hosts: view.hosts.map((h) => ({ ...h, why: h.why.map((w) => `worker ${id}: ${w}`) })) };
}

function mergeCluster(a: ClusterView, b: ClusterView): ClusterView {
  const bHosts = new Map(b.hosts.map((h) => [h.address, h]));
  const bLevels = new Map(b.priorities.map((p) => [p.priority, p]));
  return {
    ...a,
    panic: a.panic || b.panic,
    priorities: a.priorities.map((p) => {
      const q = bLevels.get(p.priority);
      return q === undefined ? p : { ...p, healthy: Math.min(p.healthy, q.healthy), health: Math.min(p.health, q.health), panic: p.panic || q.panic };
    }),
    // A host only one worker knows (a STRICT_DNS answer that differs) is listed as that worker sees it.
    hosts: [...a.hosts.map((h) => (bHosts.has(h.address) ? mergeHost(h, bHosts.get(h.address)!) : h)), ...b.hosts.filter((h) => !a.hosts.some((x) => x.address === h.address))],
  };
}

function mergeHost(a: HostView, b: HostView): HostView {
  // The state details (active check, outlier) are those of the worker that sees the host worse.
  const worse = !b.healthy && a.healthy ? b : a;
  const rqSuccess = a.rq_success + b.rq_success;
  const rqError = a.rq_error + b.rq_error;
  const reported = rqSuccess + rqError;
  return {
    ...worse,
    healthy: a.healthy && b.healthy,
    in_rotation: a.in_rotation && b.in_rotation,
    health_flags: [...new Set([...a.health_flags, ...b.health_flags])],
    why: [...a.why, ...b.why],
    active_requests: a.active_requests + b.active_requests,
    total_requests: a.total_requests + b.total_requests,
    rq_success: rqSuccess,
    rq_error: rqError,
    success_rate: reported === 0 ? null : Math.round((10_000 * rqSuccess) / reported) / 100,
  };
}
