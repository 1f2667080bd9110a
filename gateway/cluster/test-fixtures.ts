// Fixtures shared by the cluster tests: a defaulted ClusterConfig and sets of hosts.
import type { TestContext } from 'node:test';
import type { ClusterConfig, EndpointConfig } from '../config/types.js';
import { Host } from './host.js';

/** A ClusterConfig with the schema's defaults, overridden by `fields`. */
export function clusterConfig(fields: Partial<ClusterConfig> = {}): ClusterConfig {
  return {
    name: 'backend',
    type: 'STATIC',
    connect_timeout: '1s',
    lb_policy: 'round_robin',
    endpoints: [endpoint('127.0.0.1', 9081)],
    dns_refresh_rate: '5s',
    dns_lookup_family: 'V4_ONLY',
    common_lb_config: { healthy_panic_threshold: { value: 50 } },
    ...fields,
  };
}

export function endpoint(address: string, port: number, fields: Partial<EndpointConfig> = {}): EndpointConfig {
  return { address, port, weight: 1, priority: 0, ...fields };
}

/** Hosts 10.0.0.1:80, 10.0.0.2:80, ... with these weights; their (unused) pools are closed after the test. */
export function makeHosts(t: TestContext, weights: readonly number[]): Host[] {
  const hosts = weights.map((weight, i) => {
    const ip = `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`;
    const pool = { connections: 1, connectTimeoutMs: 1000, keepAliveTimeoutMs: 1000 };
    return new Host(endpoint(ip, 80, { weight }), ip, pool);
  });
  t.after(() => Promise.all(hosts.map((h) => h.close())));
  return hosts;
}

/** How many times each host was picked in `picks`, in the order of `hosts`. */
export function countPicks(hosts: readonly Host[], picks: Iterable<Host | null>): number[] {
  const counts = hosts.map(() => 0);
  for (const picked of picks) {
    const i = picked === null ? -1 : hosts.indexOf(picked);
    if (i < 0) throw new Error(`picked ${picked?.hostname ?? 'null'}, not one of the hosts`);
    counts[i]++;
  }
  return counts;
}

/** Takes `host` out of rotation as a failed active check would (it passed one before: panic mode may use it). */
export function failActiveCheck(host: Host): void {
  host.health.everPassed = true;
  host.health.setActive('unhealthy');
}
