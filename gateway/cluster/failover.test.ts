// Fault injection through a running gateway: replicas on loopback under steady load; one is killed, one
// answers 503, one hangs, one slows down; then they heal. Retries are configured so that no client request
// fails. Detection and recovery times are printed (t.diagnostic), never asserted beyond generous bounds.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, gatewayConfig, type TestGateway } from '../harness.js';
import type { ClusterView } from '../admin/clusters-view.js';
import type { Cluster } from './cluster.js';
import { FaultUpstream, waitFor } from './fault-upstream.js';

const HEALTH_CHECK = {
  timeout: '250ms',
  interval: '100ms',
  no_traffic_interval: '100ms',
  unhealthy_threshold: 2,
  healthy_threshold: 2,
  http_health_check: { path: '/healthz' },
};

const RETRIES = {
  retry_on: '5xx,connect-failure,reset',
  num_retries: 4,
  per_try_timeout: '200ms',
  retry_back_off: { base_interval: '5ms', max_interval: '20ms' },
};

async function upstreams(t: TestContext, n: number): Promise<FaultUpstream[]> {
  const ups = await Promise.all(Array.from({ length: n }, (_, i) => FaultUpstream.start(`up${i}`)));
  t.after(() => Promise.all(ups.map((u) => u.close())));
  return ups;
}

async function gateway(t: TestContext, cluster: Record<string, unknown> & { ports: number[] }): Promise<TestGateway> {
  const config = gatewayConfig({
    routes: [{ match: { prefix: '/' }, route: { cluster: 'app', timeout: '5s', retry_policy: RETRIES } }],
    clusters: [{ name: 'app', ...cluster }],
  }) as Record<string, unknown>;
  config.admin = { address: '127.0.0.1', port: 0 };
  const gw = await startGateway(config);
  t.after(() => gw.close());
  return gw;
}

/** `workers` clients sending requests back to back until stop() (or the test's end); counts every answer. */
function steadyLoad(t: TestContext, gw: TestGateway, workers: number) {
  const result = { ok: 0, failed: [] as string[] };
  let running = true;
  // Bounded even if the test times out before stop() or its after-hook runs: never spin forever.
  const deadline = Date.now() + 90_000;
  const loops = Array.from({ length: workers }, async () => {
    // A broken gateway fails fast: give up rather than spin.
    while (running && result.failed.length < 1000 && Date.now() < deadline) {
      try {
        const r = await gw.get('/work');
        if (r.status === 200) result.ok++;
        else result.failed.push(`${r.status} ${r.body}`);
      } catch (err) {
        result.failed.push(String(err));
      }
    }
  });
  t.after(() => {
    running = false;
    return Promise.all(loops);
  });
  return {
    result,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return result;
    },
  };
}

async function clusterStatus(gw: TestGateway): Promise<ClusterView> {
  const res = await fetch(`http://127.0.0.1:${gw.gateway.adminAddress()!.port}/clusters?format=json`);
  return ((await res.json()) as { cluster_statuses: ClusterView[] }).cluster_statuses[0]!;
}

test('killed, 503, hanging and slow replicas leave rotation and come back; no client request fails', { timeout: 60_000 }, async (t) => {
  const ups = await upstreams(t, 9);
  const gw = await gateway(t, {
    ports: ups.map((u) => u.port),
    health_checks: [HEALTH_CHECK],
    outlier_detection: { consecutive_5xx: 3, interval: '100ms', base_ejection_time: '1s', max_ejection_percent: 50 },
  });
  const cluster = gw.gateway.clusters.get('app') as Cluster;
  const hosts = cluster.hosts;
  assert.ok(hosts.every((h) => h.healthy), 'every replica passed its first check before start() returned');
  const load = steadyLoad(t, gw, 6);
  await waitFor('some traffic', () => load.result.ok > 200, 20_000);

  const [killed, erroring, hanging, slow] = ups;
  const sick = [0, 1, 2, 3];
  const servedAtFault = ups.map((u) => u.served);
  const faultAt = Date.now();
  await killed!.kill();
  erroring!.fault = 'error503';
  hanging!.fault = 'hang';
  slow!.fault = 'slow';
  slow!.slowMs = 400; // over the per-try timeout and the check timeout
  const detection = await Promise.all(sick.map((i) => waitFor(`host ${i} out`, () => !hosts[i]!.healthy, 15_000).then(() => Date.now() - faultAt)));

  const status = await clusterStatus(gw);
  assert.equal(status.panic, false, 'a healthy majority never enters panic');
  for (const i of sick) {
    const h = status.hosts[i]!;
    assert.equal(h.in_rotation, false);
    assert.ok(h.why.length > 0 && h.health_flags.length > 0, `host ${i} says why: ${JSON.stringify(h)}`);
  }
  assert.match(status.hosts[0]!.why.join(' '), /ECONNREFUSED|ejected by outlier detection rule/);
  assert.match(status.hosts[1]!.why.join(' '), /status 503|consecutive_5xx/);
  for (const i of [2, 3]) assert.match(status.hosts[i]!.why.join(' '), /timeout after 250 ms|ejected by outlier detection rule/);
  for (const i of [4, 5, 6, 7, 8]) assert.deepEqual(status.hosts[i]!.why, []);

  const servedBefore = ups.map((u) => u.served);
  await waitFor('healthy hosts keep serving', () => ups.slice(4).every((u, i) => u.served > servedBefore[i + 4]! + 20), 20_000);
  assert.equal(erroring!.served + hanging!.served, servedAtFault[1]! + servedAtFault[2]!, 'sick replicas answered no 200s');

  const healAt = Date.now();
  await killed!.revive();
  erroring!.fault = 'none';
  hanging!.fault = 'none';
  slow!.fault = 'none';
  const recovery = await Promise.all(sick.map((i) => waitFor(`host ${i} back`, () => hosts[i]!.healthy, 15_000).then(() => Date.now() - healAt)));
  const servedAtHeal = ups.map((u) => u.served);
  await waitFor('healed replicas serve again', () => sick.every((i) => ups[i]!.served > servedAtHeal[i]!), 20_000);

  const result = await load.stop();
  const names = ['killed', '503', 'hanging', 'slow'];
  t.diagnostic(`requests ok ${result.ok}, failed ${result.failed.length}`);
  names.forEach((name, i) => t.diagnostic(`${name}: out of rotation after ${detection[i]} ms, back ${recovery[i]} ms after healing`));
  t.diagnostic(`ejections ${cluster.stats['outlier_detection.ejections_enforced_total'].value}, health checks ${cluster.stats['health_check.attempt'].value}, retries ${cluster.stats.upstream_rq_retry.value}`);
  assert.deepEqual(result.failed, [], 'with retries no client request fails');
  assert.equal(cluster.stats.lb_healthy_panic.value, 0);
});

test('priorities fail over as the first level loses health, and fail back when it heals', { timeout: 60_000 }, async (t) => {
  const ups = await upstreams(t, 4);
  const endpoints = ups.map((u, i) => ({ address: '127.0.0.1', port: u.port, priority: i < 2 ? 0 : 1 }));
  const gw = await gateway(t, { ports: [], endpoints, health_checks: [HEALTH_CHECK] });
  const load = steadyLoad(t, gw, 4);
  await waitFor('traffic', () => load.result.ok > 100, 20_000);
  assert.equal(ups[2]!.served + ups[3]!.served, 0, 'P1 idles while P0 is healthy');
  const idle = await clusterStatus(gw);
  assert.deepEqual(idle.priorities.map((p) => p.load), [100, 0]);
  assert.match(idle.hosts[2]!.why.join(' '), /priority 1 gets 0% of the load/);

  await ups[0]!.kill(); // P0 at 50%: health 70, so P1 takes 30%
  await waitFor('P0 degraded', () => !(gw.gateway.clusters.get('app') as Cluster).hosts[0]!.healthy, 15_000);
  const half = await clusterStatus(gw);
  assert.deepEqual(half.priorities.map((p) => [p.load, p.panic]), [[70, false], [30, false]]);
  const p1Before = ups[2]!.served + ups[3]!.served;
  await waitFor('P1 takes a share', () => ups[2]!.served + ups[3]!.served > p1Before + 20, 20_000);

  await ups[1]!.kill(); // P0 has no healthy host: everything to P1
  await waitFor('P0 down', () => (gw.gateway.clusters.get('app') as Cluster).priorityLevels[0]!.load === 0, 15_000);
  const p0Served = ups[1]!.served;

  await ups[0]!.revive();
  await ups[1]!.revive();
  await waitFor('fail back', () => (gw.gateway.clusters.get('app') as Cluster).priorityLevels[0]!.load === 100, 15_000);
  const p1AtFailBack = ups[2]!.served + ups[3]!.served;
  await waitFor('P0 serves again', () => ups[1]!.served > p0Served + 20, 20_000);
  assert.equal(ups[2]!.served + ups[3]!.served, p1AtFailBack, 'P1 idles again');
  const result = await load.stop();
  t.diagnostic(`requests ok ${result.ok}, failed ${result.failed.length}`);
  assert.deepEqual(result.failed, []);
});
