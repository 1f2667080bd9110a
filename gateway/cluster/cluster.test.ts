import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster } from './cluster.js';
import { clusterConfig, endpoint, failActiveCheck } from './test-fixtures.js';

function staticCluster(t: { after(fn: () => unknown): void }, ...fields: Parameters<typeof clusterConfig>) {
  const cluster = new Cluster(clusterConfig(...fields));
  t.after(() => cluster.close());
  return cluster;
}

test('a STATIC cluster has one host per endpoint and balances over them', (t) => {
  const cluster = staticCluster(t, {
    endpoints: [endpoint('127.0.0.1', 9081), endpoint('127.0.0.2', 9082, { weight: 2, locality: { zone: 'b' } })],
  });
  assert.equal(cluster.name, 'backend');
  assert.deepEqual(cluster.hosts.map((h) => h.hostname), ['127.0.0.1:9081', '127.0.0.2:9082']);
  assert.deepEqual(cluster.hosts[1].locality, { zone: 'b' });
  assert.equal(cluster.stats.membership_total.value, 2);
  const picks = Array.from({ length: 3 }, () => cluster.chooseHost(undefined, null)?.hostname);
  assert.deepEqual(picks.sort(), ['127.0.0.1:9081', '127.0.0.2:9082', '127.0.0.2:9082']);
});

test('unhealthy hosts are not picked once onHostsChanged is called; none healthy and no panic gives null', (t) => {
  const cluster = staticCluster(t, {
    endpoints: [endpoint('127.0.0.1', 1), endpoint('127.0.0.2', 1)],
    common_lb_config: { healthy_panic_threshold: { value: 0 } },
  });
  const [a, b] = cluster.hosts;
  failActiveCheck(a);
  cluster.onHostsChanged();
  assert.equal(cluster.stats.membership_healthy.value, 1);
  for (let i = 0; i < 5; i++) assert.equal(cluster.chooseHost(undefined, null), b);
  failActiveCheck(b);
  cluster.onHostsChanged();
  assert.equal(cluster.chooseHost(undefined, null), null);
});

test('a lower priority takes traffic only when the higher one has no healthy host', (t) => {
  const cluster = staticCluster(t, {
    endpoints: [endpoint('127.0.0.1', 1), endpoint('127.0.0.9', 1, { priority: 1 })],
  });
  const [primary, failover] = cluster.hosts;
  for (let i = 0; i < 4; i++) assert.equal(cluster.chooseHost(undefined, null), primary);
  failActiveCheck(primary);
  cluster.onHostsChanged();
  assert.equal(cluster.chooseHost(undefined, null), failover);
});

test('traffic spills to the next priority as the first one loses health, and comes back', (t) => {
  const p0 = [1, 2, 3, 4].map((i) => endpoint(`127.0.0.${i}`, 1));
  const p1 = [5, 6].map((i) => endpoint(`127.0.0.${i}`, 1, { priority: 1 }));
  const cluster = staticCluster(t, { endpoints: [...p0, ...p1] });
  const share = (): number => {
    let toP1 = 0;
    for (let i = 0; i < 10_000; i++) if (cluster.chooseHost(undefined, null)!.priority === 1) toP1++;
    return toP1 / 10_000;
  };
  assert.equal(share(), 0);
  failActiveCheck(cluster.hosts[0]); // 75% healthy × 1.4 > 100: still all on P0
  cluster.onHostsChanged();
  assert.equal(share(), 0);
  failActiveCheck(cluster.hosts[1]); // 50% × 1.4 = 70% on P0, 30% on P1
  cluster.onHostsChanged();
  assert.deepEqual(cluster.priorityLevels.map((l) => [l.priority, l.load, l.panic]), [[0, 70, false], [1, 30, false]]);
  assert.ok(Math.abs(share() - 0.3) < 0.03);
  for (const h of cluster.hosts.slice(0, 2)) h.health.setActive('healthy');
  cluster.onHostsChanged();
  assert.equal(share(), 0);
});

test('below healthy_panic_threshold with too little health elsewhere, a level routes to all its hosts and counts it', (t) => {
  const cluster = staticCluster(t, { endpoints: [1, 2, 3, 4, 5].map((i) => endpoint(`127.0.0.${i}`, 1)) });
  for (const h of cluster.hosts.slice(0, 3)) failActiveCheck(h); // 40% healthy < 50%
  cluster.onHostsChanged();
  assert.equal(cluster.priorityLevels[0]!.panic, true);
  const seen = new Set(Array.from({ length: 50 }, () => cluster.chooseHost(undefined, null)));
  assert.equal(seen.size, 5, 'panic: every host takes traffic');
  assert.equal(cluster.stats.lb_healthy_panic.value, 50);
  cluster.hosts[0]!.health.setActive('healthy'); // 60%: a healthy majority is never in panic
  cluster.onHostsChanged();
  assert.equal(cluster.priorityLevels[0]!.panic, false);
  for (let i = 0; i < 50; i++) assert.ok(cluster.chooseHost(undefined, null)!.healthy);
});

test('panic mode never sends traffic to a host that was never seen alive', (t) => {
  const cluster = staticCluster(t, { endpoints: [endpoint('127.0.0.1', 1), endpoint('127.0.0.2', 1)] });
  const [seenAlive, neverAlive] = cluster.hosts;
  failActiveCheck(seenAlive);
  neverAlive.health.startActiveChecks(false);
  cluster.onHostsChanged();
  for (let i = 0; i < 20; i++) assert.equal(cluster.chooseHost(undefined, null), seenAlive);
  seenAlive.health.everPassed = false;
  cluster.onHostsChanged();
  assert.equal(cluster.chooseHost(undefined, null), null);
});

test('the lb_policy and hash key reach the load balancer', (t) => {
  const cluster = staticCluster(t, {
    lb_policy: 'maglev',
    maglev_lb_config: { table_size: 251 },
    endpoints: [endpoint('127.0.0.1', 1), endpoint('127.0.0.2', 1), endpoint('127.0.0.3', 1)],
  });
  const seen = new Set(Array.from({ length: 60 }, (_, key) => cluster.chooseHost(key * 7919, null)));
  assert.equal(seen.size, 3);
  assert.equal(cluster.chooseHost(12345, null), cluster.chooseHost(12345, null));
});

test('requestStarted / requestFinished keep the counts', (t) => {
  const cluster = staticCluster(t);
  const host = cluster.chooseHost(undefined, null)!;
  cluster.requestStarted(host);
  cluster.requestStarted(host);
  cluster.requestFinished(host);
  assert.deepEqual([host.activeRequests, host.totalRequests, cluster.stats.upstream_rq_total.value], [1, 2, 2]);
});

test('setHosts keeps the hosts it is given and closes the pools of the others', async (t) => {
  const cluster = staticCluster(t, { endpoints: [endpoint('127.0.0.1', 1), endpoint('127.0.0.2', 1)] });
  const [kept, dropped] = cluster.hosts;
  const added = cluster.createHost(endpoint('127.0.0.3', 1), '127.0.0.3');
  cluster.setHosts([kept, added]);
  assert.deepEqual(cluster.hosts, [kept, added]);
  assert.equal(dropped.pool.closed, true);
  assert.equal(kept.pool.closed, false);
  assert.equal(cluster.stats.membership_change.value, 2);
  for (let i = 0; i < 4; i++) assert.notEqual(cluster.chooseHost(undefined, null), dropped);
  await cluster.close();
  await cluster.close();
  assert.equal(added.pool.destroyed && kept.pool.destroyed && dropped.pool.destroyed, true);
});
