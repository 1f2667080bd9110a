// Summing workers' snapshots, filtering by name, and quantiles estimated from buckets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatsStore } from './store.js';
import { filterSnapshot, mergeSnapshots } from './snapshot.js';
import { quantile } from './quantiles.js';

function worker(n: number): StatsStore {
  const store = new StatsStore();
  const scope = store.scope('cluster', 'cluster', 'api');
  scope.counter('upstream_rq_total').inc(n);
  scope.gauge('upstream_cx_active').set(n);
  const h = scope.histogram('upstream_rq_time');
  for (let i = 0; i < n; i++) h.record(i * 10);
  if (n === 2) store.counter('only.in.two').inc();
  return store;
}

test('mergeSnapshots sums counters, gauges and histogram buckets stat by stat', () => {
  const merged = mergeSnapshots([worker(1).snapshot(), worker(2).snapshot(), worker(3).snapshot()]);
  assert.deepEqual(merged.counters.map((c) => [c.name, c.value]), [
    ['cluster.api.upstream_rq_total', 6],
    ['only.in.two', 1],
  ]);
  assert.deepEqual(merged.counters[0]!.tags, { cluster: 'api' });
  assert.deepEqual(merged.gauges.map((g) => [g.name, g.value]), [['cluster.api.upstream_cx_active', 6]]);
  const h = merged.histograms[0]!;
  assert.equal(h.count, 6);
  assert.equal(h.sum, 0 + (0 + 10) + (0 + 10 + 20));
  assert.equal(h.buckets.reduce((a, b) => a + b), 6);
  assert.equal(h.buckets[0], 3, 'the three zeros');
  // The inputs are left as they were.
  assert.equal(worker(3).snapshot().histograms[0]!.count, 3);
  assert.deepEqual(mergeSnapshots([]), { counters: [], gauges: [], histograms: [] });
});

test('mergeSnapshots refuses histograms whose bounds differ', () => {
  const a = worker(1).snapshot();
  const b = { ...a, histograms: a.histograms.map((h) => ({ ...h, bounds: h.bounds.slice(1), buckets: h.buckets.slice(1) })) };
  assert.throws(() => mergeSnapshots([a, b]), /cluster\.api\.upstream_rq_time.*different bucket bounds/);
});

test('filterSnapshot keeps the stats whose flat name matches', () => {
  const f = filterSnapshot(worker(2).snapshot(), /^cluster\.api\.upstream_(rq_total|rq_time)$/);
  assert.deepEqual([f.counters.length, f.gauges.length, f.histograms.length], [1, 0, 1]);
});

test('quantiles interpolate inside the bucket that holds the rank; NaN without values', () => {
  const store = new StatsStore();
  const h = store.histogram('t');
  const snap = () => store.snapshot().histograms[0]!;
  assert.ok(Number.isNaN(quantile(snap(), 0.5)));
  for (let i = 0; i < 100; i++) h.record(30); // all in (25, 50]
  assert.equal(quantile(snap(), 0), 25);
  assert.equal(quantile(snap(), 0.5), 37.5);
  assert.equal(quantile(snap(), 1), 50);
  h.record(1e9); // above every bound: reported as the last bound
  assert.equal(quantile(snap(), 1), 3_600_000);
});
