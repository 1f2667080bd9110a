// The admin listener of a running gateway: readiness, stats in text and JSON, clusters, config dump.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gatewayConfig, startGateway, startUpstream } from '../harness.js';

test('admin answers /ready, /stats, /clusters and /config_dump', { timeout: 20_000 }, async (t) => {
  const up = await startUpstream('up');
  const config = gatewayConfig({
    routes: [{ match: { prefix: '/' }, route: { cluster: 'up' } }],
    clusters: [{ name: 'up', ports: [up.port] }],
  }) as Record<string, unknown>;
  config.admin = { address: '127.0.0.1', port: 0 };
  const gw = await startGateway(config);
  t.after(async () => {
    await gw.close();
    await up.close();
  });
  const admin = `http://127.0.0.1:${gw.gateway.adminAddress()!.port}`;
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
