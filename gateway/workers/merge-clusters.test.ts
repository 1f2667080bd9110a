// The primary's /clusters: the worst view of a host wins, reasons say their worker, counts add up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterView, HostView } from '../admin/clusters-view.js';
import { mergeClusterViews } from './merge-clusters.js';

function host(address: string, healthy: boolean, total: number, why: string[] = []): HostView {
  return {
    address,
    weight: 1,
    priority: 0,
    locality: {},
    healthy,
    in_rotation: healthy,
    health_flags: healthy ? [] : ['failed_active_hc'],
    why,
    active_health_check: null,
    outlier_detection: null,
    active_requests: 1,
    total_requests: total,
    rq_success: total,
    rq_error: 0,
    success_rate: total === 0 ? null : 100,
  };
}

function cluster(hosts: HostView[], healthy: number): ClusterView {
  return {
    name: 'app',
    lb_policy: 'round_robin',
    healthy_panic_threshold: 50,
    panic: false,
    priorities: [{ priority: 0, hosts: hosts.length, healthy, health: healthy * 50, load: 100, panic: false }],
    active_health_checks: true,
    outlier_detection: false,
    hosts,
  };
}

test('a host is healthy only if every worker sees it so; reasons are tagged; counts are summed', () => {
  const w1 = [cluster([host('10.0.0.1:80', true, 5), host('10.0.0.2:80', true, 3)], 2)];
  const w2 = [cluster([host('10.0.0.1:80', true, 7), host('10.0.0.2:80', false, 1, ['failed active health check'])], 1)];
  const [merged] = mergeClusterViews([w1, w2], [1, 2]);
  assert.deepEqual(
    merged!.hosts.map((h) => [h.address, h.healthy, h.in_rotation, h.health_flags, h.why, h.total_requests, h.active_requests]),
    [
      ['10.0.0.1:80', true, true, [], [], 12, 2],
      ['10.0.0.2:80', false, false, ['failed_active_hc'], ['worker 2: failed active health check'], 4, 2],
    ],
  );
  assert.equal(merged!.priorities[0]!.healthy, 1);
});
