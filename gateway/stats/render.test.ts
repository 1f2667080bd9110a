// The three renderings of a snapshot: Envoy's text, Envoy's JSON, and Prometheus 0.0.4 read back by a real parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { StatsStore } from './store.js';
import { renderText } from './render-text.js';
import { renderJson } from './render-json.js';
import { escapeLabel, renderPrometheus } from './render-prometheus.js';
import { DEFAULT_BUCKETS } from './histogram.js';
import { prometheusSamples } from './prometheus-samples.js';

function sample(): StatsStore {
  const store = new StatsStore();
  const api = store.scope('cluster', 'cluster', 'api');
  api.counter('upstream_rq_2xx').inc(7);
  api.counter('upstream_rq_5xx').inc(2);
  api.counter('upstream_rq_total').inc(9);
  store.scope('cluster', 'cluster', 'we"ird\\name\n').counter('upstream_rq_2xx').inc(1);
  api.gauge('upstream_cx_active').set(3);
  const t = store.scope('http', 'stat_prefix', 'ingress').histogram('downstream_rq_time');
  for (const v of [0.2, 3, 3, 40, 70_000]) t.record(v);
  store.histogram('empty.time');
  return store;
}

test('text: `name: value` sorted, then histograms with P0..P100 or "No recorded values"', () => {
  const text = renderText(sample().snapshot());
  const lines = text.trimEnd().split('\n');
  assert.deepEqual(lines.slice(0, 5), [
    'cluster.api.upstream_cx_active: 3',
    'cluster.api.upstream_rq_2xx: 7',
    'cluster.api.upstream_rq_5xx: 2',
    'cluster.api.upstream_rq_total: 9',
    'cluster.we"ird\\name\n.upstream_rq_2xx: 1'.split('\n')[0]!,
  ]);
  assert.ok(lines.includes('empty.time: No recorded values'));
  const hist = lines.find((l) => l.startsWith('http.ingress.downstream_rq_time: '))!;
  assert.match(hist, /^http\.ingress\.downstream_rq_time: P0\(0\) P25\(\d+(\.\d+)?\) P50\(\S+\) P75\(\S+\) P90\(\S+\) P95\(\S+\) P99\(\S+\) P99\.9\(\S+\) P100\(300000\)$/);
});

test('json: Envoy shape, {name, value} then one histograms element with supported and computed quantiles', () => {
  const json = renderJson(sample().snapshot());
  assert.deepEqual(json.stats[0], { name: 'cluster.api.upstream_cx_active', value: 3 });
  const last = json.stats[json.stats.length - 1]!;
  assert.ok('histograms' in last);
  assert.deepEqual(last.histograms.supported_quantiles, [0, 25, 50, 75, 90, 95, 99, 99.9, 100]);
  const names = last.histograms.computed_quantiles.map((q) => q.name);
  assert.deepEqual(names, ['empty.time', 'http.ingress.downstream_rq_time']);
  assert.equal(last.histograms.computed_quantiles[0]!.values[4]!.cumulative, null);
  assert.equal(renderJson(new StatsStore().snapshot()).stats.length, 0);
});

test('prometheus: families with TYPE, labels from tags (escaped), cumulative buckets to +Inf, _sum and _count', () => {
  const text = renderPrometheus(sample().snapshot());
  assert.ok(text.includes(`{cluster="${escapeLabel('we"ird\\name\n')}",response_code_class="2xx"} 1\n`));
  const families = parsePrometheusTextFormat(text);
  const byName = new Map(families.map((f) => [f.name, f]));
  const xx = byName.get('wasmgate_cluster_upstream_rq_xx')!;
  assert.equal(xx.type, 'COUNTER');
  assert.deepEqual(
    xx.metrics.map((m) => [m.labels, m.value]),
    [
      [{ cluster: 'api', response_code_class: '2xx' }, '7'],
      [{ cluster: 'api', response_code_class: '5xx' }, '2'],
      [{ cluster: 'we"ird\\name\n', response_code_class: '2xx' }, '1'],
    ],
  );
  assert.equal(byName.get('wasmgate_cluster_upstream_cx_active')!.type, 'GAUGE');
  const h = byName.get('wasmgate_http_downstream_rq_time')!;
  assert.equal(h.type, 'HISTOGRAM');
  // The parser keeps the buckets of a labelled series but folds its labels, _sum and _count away: read those strictly.
  const samples = prometheusSamples(text);
  const series = (name: string) => samples.filter((s) => s.name === name && s.labels.stat_prefix === 'ingress');
  assert.deepEqual(series('wasmgate_http_downstream_rq_time_count').map((s) => s.value), [5]);
  assert.deepEqual(series('wasmgate_http_downstream_rq_time_sum').map((s) => s.value), [0.2 + 3 + 3 + 40 + 70_000]);
  const buckets = h.metrics[0]!.buckets!;
  assert.equal(Object.keys(buckets).length, DEFAULT_BUCKETS.length + 1);
  assert.deepEqual(
    series('wasmgate_http_downstream_rq_time_bucket').map((s) => [s.labels.le, String(s.value)]),
    Object.entries(buckets).sort(([a], [b]) => (a === '+Inf' ? 1 : b === '+Inf' ? -1 : Number(a) - Number(b))),
  );
  assert.equal(buckets['0.5'], '1');
  assert.equal(buckets['5'], '3');
  assert.equal(buckets['50'], '4');
  assert.equal(buckets['60000'], '4');
  assert.equal(buckets['300000'], '5');
  assert.equal(buckets['+Inf'], '5');
  let previous = 0;
  for (const le of DEFAULT_BUCKETS) {
    assert.ok(Number(buckets[String(le)]) >= previous, 'cumulative');
    previous = Number(buckets[String(le)]);
  }
  const empty = byName.get('wasmgate_empty_time')!.metrics[0]!;
  assert.deepEqual([empty.count, empty.sum, empty.buckets!['+Inf']], ['0', '0', '0']);
  // Every family is declared once, before its samples.
  const typeLines = text.split('\n').filter((l) => l.startsWith('# TYPE '));
  assert.equal(new Set(typeLines).size, typeLines.length);
  assert.equal(typeLines.length, families.length);
});

test('the strict reader refuses what the lenient parser lets through', () => {
  assert.throws(() => prometheusSamples('foo{a="1} 2\n'), /bad sample line/);
  assert.throws(() => prometheusSamples('fo-o 1\n'), /bad sample line/);
  assert.throws(() => prometheusSamples('foo 1'), /line feed/);
  assert.deepEqual(prometheusSamples('foo{a="x\\"y\\\\z\\n"} +Inf\n'), [{ name: 'foo', labels: { a: 'x"y\\z\n' }, value: Infinity }]);
});
