import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster } from './cluster.js';
import { clusterConfig, endpoint } from './test-fixtures.js';

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
  assert.equal(cluster.stats.membership_total, 2);
  const picks = Array.from({ length: 3 }, () => cluster.chooseHost(undefined, null)?.hostname);
  assert.deepEqual(picks.sort(), ['127.0.0.1:9081', '127.0.0.2:9082', '127.0.0.2:9082']);
});

test('unhealthy hosts are not picked once onHostsChanged is called; none healthy gives null', (t) => {
  const cluster = staticCluster(t, { endpoints: [endpoint('127.0.0.1', 1), endpoint('127.0.0.2', 1)] });
  const [a, b] = cluster.hosts;
  a.healthy = false;
  cluster.onHostsChanged();
  assert.equal(cluster.stats.membership_healthy, 1);
  for (let i = 0; i < 5; i++) assert.equal(cluster.chooseHost(undefined, null), b);
  b.healthy = false;
  cluster.onHostsChanged();
  assert.equal(cluster.chooseHost(undefined, null), null);
});

test('a lower priority takes traffic only when the higher one has no healthy host', (t) => {
  const cluster = staticCluster(t, {
    endpoints: [endpoint('127.0.0.1', 1), endpoint('127.0.0.9', 1, { priority: 1 })],
  });
  const [primary, failover] = cluster.hosts;
  for (let i = 0; i < 4; i++) assert.equal(cluster.chooseHost(undefined, null), primary);
  primary.healthy = false;
  cluster.onHostsChanged();
  assert.equal(cluster.chooseHost(undefined, null), failover);
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
  assert.deepEqual([host.activeRequests, host.totalRequests, cluster.stats.upstream_rq_total], [1, 2, 2]);
});

test('setHosts keeps the hosts it is given and closes the pools of the others', async (t) => {
  const cluster = staticCluster(t, { endpoints: [endpoint('127.0.0.1', 1), endpoint('127.0.0.2', 1)] });
  const [kept, dropped] = cluster.hosts;
  const added = cluster.createHost(endpoint('127.0.0.3', 1), '127.0.0.3');
  cluster.setHosts([kept, added]);
  assert.deepEqual(cluster.hosts, [kept, added]);
  assert.equal(dropped.pool.closed, true);
  assert.equal(kept.pool.closed, false);
  assert.equal(cluster.stats.membership_change, 2);
  for (let i = 0; i < 4; i++) assert.notEqual(cluster.chooseHost(undefined, null), dropped);
  await cluster.close();
  await cluster.close();
  assert.equal(added.pool.destroyed && kept.pool.destroyed && dropped.pool.destroyed, true);
});
