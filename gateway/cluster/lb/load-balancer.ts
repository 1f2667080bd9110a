// The contract every load balancing policy implements.
import type { Host } from '../host.js';

/**
 * Picks the upstream host of one request attempt.
 * The cluster calls `rebuild` with the hosts that may take traffic (healthy, right priority) whenever that
 * set changes, so `pick` never looks at health itself and can use tables built once per change.
 */
export interface LoadBalancer {
  /**
   * `hashKey`: the request's hash (ring_hash, maglev), undefined when the route has no hash policy.
   * `exclude`: hosts already tried (retry `previous_hosts`); a host outside it is preferred, but when
   * every host is excluded one of them is returned anyway. Null only when there is no host at all.
   */
  pick(hashKey: number | undefined, exclude: ReadonlySet<Host> | null): Host | null;
  rebuild(hosts: readonly Host[]): void;
}

/** True when `exclude` rules out every one of `hosts` (then a pick has to settle for an excluded host). */
export function allExcluded(hosts: readonly Host[], exclude: ReadonlySet<Host>): boolean {
  if (exclude.size < hosts.length) return false;
  for (const host of hosts) if (!exclude.has(host)) return false;
  return true;
}
