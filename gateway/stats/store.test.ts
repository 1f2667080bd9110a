// The stats store: names and tags decided at creation, one stat per name, histograms with fixed buckets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatsStore } from './store.js';
import { DEFAULT_BUCKETS } from './histogram.js';
import { ResponseCodeStats } from './response-code-stats.js';

test('a scope gives flat Envoy names and takes its tag values out of the tag-extracted name', () => {
  const store = new StatsStore();
  const cluster = store.scope('cluster', 'cluster', 'api.v1');
  const total = cluster.counter('upstream_rq_total');
  assert.deepEqual([total.name, total.tagExtractedName, total.tags], ['cluster.api.v1.upstream_rq_total', 'cluster.upstream_rq_total', { cluster: 'api.v1' }]);

  const cls = cluster.counter('upstream_rq_2xx');
  assert.deepEqual([cls.name, cls.tagExtractedName, cls.tags], ['cluster.api.v1.upstream_rq_2xx', 'cluster.upstream_rq_xx', { cluster: 'api.v1', response_code_class: '2xx' }]);
  const code = cluster.counter('upstream_rq_503');
  assert.deepEqual([code.tagExtractedName, code.tags], ['cluster.upstream_rq', { cluster: 'api.v1', response_code: '503' }]);
  // Names that only look like codes keep their name.
  assert.equal(cluster.counter('outlier_detection.ejections_detected_consecutive_5xx').tagExtractedName, 'cluster.outlier_detection.ejections_detected_consecutive_5xx');

  const route = store.scope('vhost', 'vhost', 'site').scope('route', 'route', 'users').histogram('upstream_rq_time');
  assert.deepEqual([route.name, route.tagExtractedName, route.tags], ['vhost.site.route.users.upstream_rq_time', 'vhost.route.upstream_rq_time', { vhost: 'site', route: 'users' }]);

  const filter = store.scope('http', 'stat_prefix', 'ingress').scope('rbac').counter('denied');
  assert.deepEqual([filter.name, filter.tagExtractedName, filter.tags], ['http.ingress.rbac.denied', 'http.rbac.denied', { stat_prefix: 'ingress' }]);
});

test('asking for a stat by name again gives the same stat (a rebuilt cluster continues its counters)', () => {
  const store = new StatsStore();
  const a = store.scope('cluster', 'cluster', 'api').counter('upstream_rq_total');
  a.inc(3);
  const b = store.scope('cluster', 'cluster', 'api').counter('upstream_rq_total');
  assert.equal(b, a);
  b.inc();
  assert.equal(store.value('cluster.api.upstream_rq_total'), 4);
  const g = store.gauge('x.active');
  g.add(2);
  g.set(1);
  assert.equal(store.gauge('x.active').value, 1);
  assert.deepEqual(store.values(), { 'cluster.api.upstream_rq_total': 4, 'x.active': 1 });
});

test('a histogram counts each value in the first bucket whose bound is >= it, with sum and count', () => {
  const h = new StatsStore().histogram('t');
  for (const v of [0, 0.5, 0.6, 1, 7, 3_600_000, 3_600_001, 1e12]) h.record(v);
  assert.equal(h.counts.length, DEFAULT_BUCKETS.length + 1);
  assert.deepEqual([h.counts[0], h.counts[1], h.counts[2], h.counts[3]], [2, 2, 0, 1], '(0, 0.5], (0.5, 1], (1, 5], (5, 10]');
  assert.equal(h.counts[DEFAULT_BUCKETS.length - 1], 1, '3600000 is in the last finite bucket');
  assert.equal(h.counts[DEFAULT_BUCKETS.length], 2, 'above every bound: +Inf');
  assert.equal(h.count, 8);
  assert.equal(h.sum, 0 + 0.5 + 0.6 + 1 + 7 + 3_600_000 + 3_600_001 + 1e12);
});

test('response code stats: a counter per class made up front, exact codes on first sight, nothing outside 100..599', () => {
  const store = new StatsStore();
  const scope = store.scope('cluster', 'cluster', 'c');
  const codes = new ResponseCodeStats(scope, 'upstream_rq_', true);
  assert.deepEqual(Object.keys(store.values()), ['1xx', '2xx', '3xx', '4xx', '5xx'].map((c) => `cluster.c.upstream_rq_${c}`));
  for (const s of [200, 200, 204, 503, 0, 600, 101]) codes.count(s);
  assert.deepEqual(store.values(), {
    'cluster.c.upstream_rq_101': 1,
    'cluster.c.upstream_rq_1xx': 1,
    'cluster.c.upstream_rq_200': 2,
    'cluster.c.upstream_rq_204': 1,
    'cluster.c.upstream_rq_2xx': 3,
    'cluster.c.upstream_rq_3xx': 0,
    'cluster.c.upstream_rq_4xx': 0,
    'cluster.c.upstream_rq_503': 1,
    'cluster.c.upstream_rq_5xx': 1,
  });
  const classesOnly = new ResponseCodeStats(store.scope('http', 'stat_prefix', 'p'), 'downstream_rq_', false);
  classesOnly.count(404);
  assert.equal(store.value('http.p.downstream_rq_4xx'), 1);
  assert.equal(store.value('http.p.downstream_rq_404'), undefined);
});

test('snapshot is plain JSON, sorted by name, with histogram buckets, sum and count', () => {
  const store = new StatsStore();
  store.counter('b').inc(2);
  store.counter('a').inc();
  store.gauge('g').set(-3);
  store.histogram('h').record(3);
  const snap = JSON.parse(JSON.stringify(store.snapshot()));
  assert.deepEqual(snap.counters.map((c: { name: string }) => c.name), ['a', 'b']);
  assert.deepEqual(snap.gauges, [{ name: 'g', tagExtractedName: 'g', tags: {}, value: -3 }]);
  const h = snap.histograms[0];
  assert.deepEqual([h.name, h.sum, h.count, h.bounds, h.buckets.reduce((x: number, y: number) => x + y)], ['h', 3, 1, [...DEFAULT_BUCKETS], 1]);
  assert.equal(h.buckets[2], 1, '3 ms is in the (1, 5] bucket');
});
