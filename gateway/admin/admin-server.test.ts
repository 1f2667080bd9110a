// The admin listener of a running gateway: readiness and /healthcheck/fail|ok, stats in text and JSON,
// clusters with the why, config dump.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gatewayConfig, startUpstream } from '../harness.js';
import { createGateway } from '../index.js';
import { waitFor } from '../cluster/fault-upstream.js';
import { startGatewayWithAdmin } from './admin-test-gateway.js';
import type { ClusterView } from './clusters-view.js';
import { MASKED, maskSecrets } from './config-dump.js';

test('admin answers /ready, /stats, /clusters and /config_dump', { timeout: 20_000 }, async (t) => {
  const up = await startUpstream('up');
  const config = gatewayConfig({
    routes: [{ match: { prefix: '/' }, route: { cluster: 'up' } }],
    clusters: [{ name: 'up', ports: [up.port] }],
  });
  const gw = await startGatewayWithAdmin(t, config, [up]);
  const admin = gw.admin;
  for (let i = 0; i < 3; i++) assert.equal((await gw.get('/x')).status, 200);
  assert.equal((await gw.get('/x', { 'x-request-id': 'r' })).status, 200);

  const ready = await fetch(`${admin}/ready`);
  assert.equal(ready.status, 200);

  const stats = (await (await fetch(`${admin}/stats?format=json`)).json()) as { stats: { name: string; value: number }[] };
  const byName = new Map(stats.stats.map((s) => [s.name, s.value]));
  assert.equal(byName.get('http.test.downstream_rq_total'), 4);
  assert.equal(byName.get('http.test.downstream_rq_2xx'), 4);
  assert.equal(byName.get('cluster.up.upstream_rq_total'), 4);

  const text = await (await fetch(`${admin}/stats?filter=${encodeURIComponent('^cluster\\.up\\.upstream_rq_total$')}`)).text();
  assert.equal(text, 'cluster.up.upstream_rq_total: 4\n');
  assert.equal((await fetch(`${admin}/stats?filter=(`)).status, 400);

  const clusters = (await (await fetch(`${admin}/clusters?format=json`)).json()) as {
    cluster_statuses: { name: string; hosts: { address: string; healthy: boolean; total_requests: number }[] }[];
  };
  assert.deepEqual(clusters.cluster_statuses[0]!.hosts.map((h) => [h.address, h.healthy, h.total_requests]), [[`127.0.0.1:${up.port}`, true, 4]]);
  assert.match(await (await fetch(`${admin}/clusters`)).text(), new RegExp(`up::127\\.0\\.0\\.1:${up.port}::health_flags::healthy`));

  const dump = (await (await fetch(`${admin}/config_dump`)).json()) as { clusters: { name: string; lb_policy: string }[] };
  assert.equal(dump.clusters[0]!.lb_policy, 'round_robin', 'defaults are filled in');
});

test('/ready is 503 while the first health checks run, 200 when live, 503 after /healthcheck/fail and while draining', { timeout: 30_000 }, async (t) => {
  const slowCheck = await startUpstream('slow', (req, res) => {
    // Health checks take 300 ms: long enough to see INITIALIZING; requests hang until the client goes.
    if (req.url === '/healthz') setTimeout(() => res.end('ok'), 300);
  });
  t.after(() => slowCheck.close());
  const config = gatewayConfig({
    routes: [{ match: { prefix: '/' }, route: { cluster: 'up', timeout: '10s' } }],
    clusters: [{ name: 'up', ports: [slowCheck.port], health_checks: [{ timeout: '2s', interval: '1s', unhealthy_threshold: 1, healthy_threshold: 1, http_health_check: { path: '/healthz' } }] }],
  }) as Record<string, unknown>;
  config.admin = { address: '127.0.0.1', port: 0 };
  const gateway = await createGateway({ config, logLevel: 'silent', drainTimeoutMs: 3000 });
  const starting = gateway.start();
  t.after(() => gateway.stop());
  await waitFor('admin listening', () => gateway.adminAddress() !== null);
  const admin = `http://127.0.0.1:${gateway.adminAddress()!.port}`;
  const during = await fetch(`${admin}/ready`);
  assert.deepEqual([during.status, await during.text()], [503, 'INITIALIZING\n']);
  await starting;
  assert.equal((await fetch(`${admin}/ready`)).status, 200);
  assert.equal((await fetch(`${admin}/healthcheck/fail`, { method: 'POST' })).status, 200);
  const failed = await fetch(`${admin}/ready`);
  assert.deepEqual([failed.status, await failed.text()], [503, 'DRAINING\n']);
  await fetch(`${admin}/healthcheck/ok`, { method: 'POST' });
  assert.equal((await fetch(`${admin}/ready`)).status, 200);
  assert.equal((await fetch(`${admin}/healthcheck/fail`)).status, 404, 'GET does not change state');

  // A request that hangs keeps the listener draining while we ask.
  const origin = `http://127.0.0.1:${gateway.address('test').port}`;
  const hanging = fetch(`${origin}/hang`).catch(() => null);
  await waitFor('request in flight', () => slowCheck.seen.some((r) => r.url === '/hang'));
  const stopping = gateway.stop();
  const draining = await fetch(`${admin}/ready`);
  assert.deepEqual([draining.status, await draining.text()], [503, 'DRAINING\n']);
  await stopping;
  await hanging;
});

test('/clusters explains an ejected host and the panic of its priority; /config_dump fills defaults and masks secrets', { timeout: 20_000 }, async (t) => {
  const good = await startUpstream('good');
  const bad = await startUpstream('bad', (_req, res) => {
    res.writeHead(503);
    res.end();
  });
  t.after(async () => {
    await good.close();
    await bad.close();
  });
  const config = gatewayConfig({
    routes: [{ match: { prefix: '/' }, route: { cluster: 'up' } }],
    clusters: [{ name: 'up', ports: [good.port, bad.port], outlier_detection: { consecutive_5xx: 2, max_ejection_percent: 50 } }],
  });
  const gw = await startGatewayWithAdmin(t, config);
  const admin = gw.admin;
  for (let i = 0; i < 6; i++) await gw.get('/x');
  const json = (await (await fetch(`${admin}/clusters?format=json`)).json()) as { cluster_statuses: ClusterView[] };
  const c = json.cluster_statuses[0]!;
  // One of two hosts ejected: 50% healthy is not under the 50% threshold, so no panic.
  assert.equal(c.panic, false);
  const ejected = c.hosts[1]!;
  assert.deepEqual([ejected.healthy, ejected.in_rotation, ejected.health_flags], [false, false, ['failed_outlier_check']]);
  assert.equal(ejected.outlier_detection!.ejected!.rule, 'consecutive_5xx');
  assert.match(ejected.why[0]!, /ejected by outlier detection rule consecutive_5xx \(2 consecutive 5xx, last: 503\) at .* until /);
  assert.equal(ejected.rq_error, 2);
  const text = await (await fetch(`${admin}/clusters`)).text();
  assert.match(text, new RegExp(`up::127\\.0\\.0\\.1:${bad.port}::health_flags::/failed_outlier_check`));
  assert.match(text, /up::priority::0::load::100/);
  assert.match(text, new RegExp(`up::127\\.0\\.0\\.1:${bad.port}::why::ejected by outlier detection rule consecutive_5xx`));

  const dump = (await (await fetch(`${admin}/config_dump`)).json()) as { clusters: Record<string, unknown>[] };
  const od = dump.clusters[0]!.outlier_detection as Record<string, unknown>;
  assert.deepEqual([od.base_ejection_time, od.enforcing_consecutive_gateway_failure, od.interval], ['30s', 0, '10s']);
  assert.deepEqual(dump.clusters[0]!.common_lb_config, { healthy_panic_threshold: { value: 50 } });
});

test('maskSecrets replaces strings under secret-looking names, at any depth', () => {
  const masked = maskSecrets({ a: { client_secret: 's', api_keys: ['k1', 'k2'], tokens_per_fill: 5, password: { env: 'P' } }, name: 'n' });
  assert.deepEqual(masked, { a: { client_secret: MASKED, api_keys: [MASKED, MASKED], tokens_per_fill: 5, password: { env: 'P' } }, name: 'n' });
});
