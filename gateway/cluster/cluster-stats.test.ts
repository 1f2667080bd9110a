// Cluster stats live in the process's store: a rebuilt cluster of the same name continues its counters, sets its
// live gauges afresh, and upstream_cx_active follows the connections of the pools.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster } from './cluster.js';
import { StatsStore } from '../stats/store.js';
import { startUpstream } from '../harness.js';
import { waitFor } from './fault-upstream.js';
import { clusterConfig, endpoint } from './test-fixtures.js';

test('a rebuilt cluster continues the counters of its name and sets its gauges from its own hosts', async (t) => {
  const store = new StatsStore();
  const first = new Cluster(clusterConfig({ name: 'api', endpoints: [endpoint('127.0.0.1', 9081), endpoint('127.0.0.1', 9082)] }), null, store);
  t.after(() => first.close());
  first.requestStarted(first.hosts[0]!);
  first.stats.upstream_rq.count(200);
  assert.equal(store.value('cluster.api.membership_total'), 2);

  const second = new Cluster(clusterConfig({ name: 'api', endpoints: [endpoint('127.0.0.1', 9081)] }), null, store);
  t.after(() => second.close());
  second.requestStarted(second.hosts[0]!);
  second.stats.upstream_rq.count(200);
  assert.equal(store.value('cluster.api.upstream_rq_total'), 2);
  assert.equal(store.value('cluster.api.upstream_rq_200'), 2);
  assert.equal(store.value('cluster.api.membership_total'), 1, 'set, not added');
  assert.equal(store.value('cluster.api.membership_healthy'), 1);
});

test('upstream_cx_active counts the open connections of the pools, and drops to 0 when they close', { timeout: 20_000 }, async (t) => {
  const up = await startUpstream('up');
  t.after(() => up.close());
  const store = new StatsStore();
  const cluster = new Cluster(clusterConfig({ name: 'up', endpoints: [endpoint('127.0.0.1', up.port)] }), null, store);
  t.after(() => cluster.close());
  const pool = cluster.hosts[0]!.pool;
  const responses = await Promise.all([1, 2, 3].map(() => pool.request({ path: '/', method: 'GET' })));
  for (const r of responses) await r.body.text();
  const active = cluster.stats.upstream_cx_active;
  assert.ok(active.value >= 1 && active.value <= 3, `upstream_cx_active ${active.value}`);
  assert.equal(cluster.stats.upstream_cx_total.value, active.value);
  await cluster.close();
  await waitFor('every connection closed', () => active.value === 0);
  assert.equal(store.value('cluster.up.upstream_cx_active'), 0);
});

test('the gauges describing hosts belong to the cluster that started last: a build that is not started, or an old one draining, does not overwrite them', async (t) => {
  const store = new StatsStore();
  const serving = new Cluster(clusterConfig({ name: 'api', endpoints: [endpoint('127.0.0.1', 9081), endpoint('127.0.0.1', 9082)] }), null, store);
  t.after(() => serving.close());
  serving.start();
  assert.equal(store.value('cluster.api.membership_total'), 2);

  // A reload builds the next cluster, and is refused before it starts.
  const refused = new Cluster(clusterConfig({ name: 'api', endpoints: [endpoint('127.0.0.1', 9083)] }), null, store);
  await refused.close();
  assert.equal(store.value('cluster.api.membership_total'), 2, 'the refused build left the gauge alone');

  const next = new Cluster(clusterConfig({ name: 'api', endpoints: [endpoint('127.0.0.1', 9084)] }), null, store);
  t.after(() => next.close());
  next.start();
  assert.equal(store.value('cluster.api.membership_total'), 1);
  // The old one, draining, still sees host changes (an ejection ending, a check failing): the gauges stay the new one's.
  serving.setHosts([serving.hosts[0]!]);
  serving.onHostsChanged();
  assert.deepEqual([store.value('cluster.api.membership_total'), store.value('cluster.api.membership_healthy')], [1, 1]);
  next.setHosts([]);
  assert.deepEqual([store.value('cluster.api.membership_total'), store.value('cluster.api.membership_healthy')], [0, 0]);
});
