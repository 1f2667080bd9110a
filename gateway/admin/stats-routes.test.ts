// /stats and /stats/prometheus of a running gateway add up to exactly what was sent: 2xx and 5xx from the
// upstream, 404s answered by the gateway itself; the Prometheus output read by a real parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { gatewayConfig, startUpstream } from '../harness.js';
import { startGatewayWithAdmin } from './admin-test-gateway.js';
import { waitFor } from '../cluster/fault-upstream.js';
import { prometheusSamples } from '../stats/prometheus-samples.js';
import { DEFAULT_BUCKETS } from '../stats/histogram.js';
import type { JsonStats } from '../stats/render-json.js';

const OK = 23;
const FAIL = 9;
const MISSING = 6;
const ALL = OK + FAIL + MISSING;

test('/stats and /stats/prometheus count exactly the requests sent, by listener, cluster and route', { timeout: 30_000 }, async (t) => {
  const up = await startUpstream('api', (req, res) => {
    res.writeHead(req.url!.startsWith('/fail') ? 503 : 200);
    res.end();
  });
  const config = gatewayConfig({
    routes: [
      { name: 'ok', match: { prefix: '/ok' }, route: { cluster: 'api' } },
      { name: 'fail', match: { prefix: '/fail' }, route: { cluster: 'api' } },
    ],
    clusters: [{ name: 'api', ports: [up.port] }],
  });
  const gw = await startGatewayWithAdmin(t, config, [up]);
  const admin = gw.admin;

  const paths = [...Array<string>(OK).fill('/ok'), ...Array<string>(FAIL).fill('/fail'), ...Array<string>(MISSING).fill('/nothing')];
  const statuses = await Promise.all(paths.map((p, i) => gw.get(`${p}/${i}`).then((r) => r.status)));
  assert.deepEqual(
    [statuses.filter((s) => s === 200).length, statuses.filter((s) => s === 503).length, statuses.filter((s) => s === 404).length],
    [OK, FAIL, MISSING],
  );

  const json = async (): Promise<Map<string, number>> => {
    const body = (await (await fetch(`${admin}/stats?format=json`)).json()) as JsonStats;
    return new Map(body.stats.flatMap((s) => ('name' in s ? [[s.name, s.value] as const] : [])));
  };
  // A stream is counted when its response has finished, which the client may see a moment before.
  await waitFor('every stream counted', () => gw.gateway.stats.value('http.test.downstream_rq_active') === 0);
  const stats = await json();
  const expected: Record<string, number> = {
    'http.test.downstream_rq_total': ALL,
    'http.test.downstream_rq_2xx': OK,
    'http.test.downstream_rq_4xx': MISSING,
    'http.test.downstream_rq_5xx': FAIL,
    'http.test.downstream_rq_1xx': 0,
    'http.test.downstream_rq_active': 0,
    'cluster.api.upstream_rq_total': OK + FAIL,
    'cluster.api.upstream_rq_completed': OK + FAIL,
    'cluster.api.upstream_rq_2xx': OK,
    'cluster.api.upstream_rq_200': OK,
    'cluster.api.upstream_rq_5xx': FAIL,
    'cluster.api.upstream_rq_503': FAIL,
    'cluster.api.upstream_rq_retry': 0,
    'cluster.api.upstream_rq_timeout': 0,
    'cluster.api.upstream_rq_pending_overflow': 0,
    'cluster.api.membership_total': 1,
    'cluster.api.outlier_detection.ejections_active': 0,
    'vhost.all.route.ok.upstream_rq_2xx': OK,
    'vhost.all.route.ok.upstream_rq_5xx': 0,
    'vhost.all.route.fail.upstream_rq_5xx': FAIL,
  };
  for (const [name, value] of Object.entries(expected)) assert.equal(stats.get(name), value, name);
  const cxActive = stats.get('cluster.api.upstream_cx_active')!;
  assert.ok(cxActive >= 1 && cxActive <= stats.get('cluster.api.upstream_cx_total')!, `upstream_cx_active ${cxActive}`);

  const text = await (await fetch(`${admin}/stats?filter=${encodeURIComponent('^http\\.test\\.downstream_rq_(total|time)$')}`)).text();
  assert.match(text, new RegExp(`^http\\.test\\.downstream_rq_total: ${ALL}\\nhttp\\.test\\.downstream_rq_time: P0\\(\\S+\\) P25.* P100\\(\\S+\\)\\n$`));
  assert.equal((await fetch(`${admin}/stats?filter=(`)).status, 400);

  const prom = await fetch(`${admin}/stats/prometheus`);
  assert.match(prom.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
  const body = await prom.text();
  const families = new Map(parsePrometheusTextFormat(body).map((f) => [f.name, f]));
  const valueOf = (family: string, labels: Record<string, string>): string | undefined => {
    const f = families.get(family);
    assert.ok(f !== undefined, `family ${family}`);
    return f.metrics.find((m) => JSON.stringify(m.labels) === JSON.stringify(labels))?.value;
  };
  assert.equal(families.get('wasmgate_http_downstream_rq_xx')!.type, 'COUNTER');
  assert.equal(valueOf('wasmgate_http_downstream_rq_total', { stat_prefix: 'test' }), String(ALL));
  assert.equal(valueOf('wasmgate_http_downstream_rq_xx', { response_code_class: '2xx', stat_prefix: 'test' }), String(OK));
  assert.equal(valueOf('wasmgate_http_downstream_rq_xx', { response_code_class: '4xx', stat_prefix: 'test' }), String(MISSING));
  assert.equal(valueOf('wasmgate_http_downstream_rq_xx', { response_code_class: '5xx', stat_prefix: 'test' }), String(FAIL));
  assert.equal(valueOf('wasmgate_cluster_upstream_rq', { cluster: 'api', response_code: '503' }), String(FAIL));
  assert.equal(valueOf('wasmgate_cluster_upstream_rq_xx', { cluster: 'api', response_code_class: '2xx' }), String(OK));
  assert.equal(valueOf('wasmgate_vhost_route_upstream_rq_xx', { response_code_class: '2xx', route: 'ok', vhost: 'all' }), String(OK));
  assert.equal(families.get('wasmgate_cluster_upstream_cx_active')!.type, 'GAUGE');

  // Histograms: _count is the number of requests, buckets are cumulative and end at +Inf = _count.
  const samples = prometheusSamples(body);
  const histogram = (family: string, labels: Record<string, string>) => {
    const same = (s: { labels: Readonly<Record<string, string>> }) => Object.entries(labels).every(([k, v]) => s.labels[k] === v);
    const count = samples.find((s) => s.name === `${family}_count` && same(s))!.value;
    const buckets = samples.filter((s) => s.name === `${family}_bucket` && same(s));
    assert.deepEqual(buckets.map((b) => b.labels.le), [...DEFAULT_BUCKETS.map(String), '+Inf']);
    for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i]!.value >= buckets[i - 1]!.value, `${family} buckets are cumulative`);
    assert.equal(buckets[buckets.length - 1]!.value, count);
    return count;
  };
  assert.equal(families.get('wasmgate_http_downstream_rq_time')!.type, 'HISTOGRAM');
  assert.equal(histogram('wasmgate_http_downstream_rq_time', { stat_prefix: 'test' }), ALL);
  assert.equal(histogram('wasmgate_cluster_upstream_rq_time', { cluster: 'api' }), OK + FAIL);
  assert.equal(histogram('wasmgate_vhost_route_upstream_rq_time', { route: 'fail' }), FAIL);

  // ?filter= narrows the exposition to one histogram series, which the parser then reads whole.
  const one = await (await fetch(`${admin}/stats/prometheus?filter=${encodeURIComponent('^http\\.test\\.downstream_rq_time$')}`)).text();
  const parsed = parsePrometheusTextFormat(one);
  assert.deepEqual(parsed.map((f) => f.name), ['wasmgate_http_downstream_rq_time']);
  assert.equal(parsed[0]!.metrics[0]!.buckets!['+Inf'], String(ALL));
  assert.equal((await fetch(`${admin}/stats/prometheus?filter=${encodeURIComponent('[')}`)).status, 400);
});
