// Active health checks against real upstreams on loopback, through a Cluster (no gateway).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { HealthCheckConfig } from '../../config/types.js';
import { Cluster } from '../cluster.js';
import { FaultUpstream, waitFor } from '../fault-upstream.js';
import { clusterConfig, endpoint } from '../test-fixtures.js';

function httpCheck(fields: Partial<HealthCheckConfig> = {}): HealthCheckConfig {
  return {
    timeout: '500ms',
    interval: '50ms',
    no_traffic_interval: '50ms',
    initial_jitter: '0s',
    interval_jitter: '0s',
    interval_jitter_percent: 0,
    unhealthy_threshold: 2,
    healthy_threshold: 2,
    initially_healthy: false,
    http_health_check: { path: '/healthz', method: 'GET', expected_statuses: [{ start: 200, end: 201 }] },
    ...fields,
  };
}

async function upstreams(t: TestContext, n: number): Promise<FaultUpstream[]> {
  const ups = await Promise.all(Array.from({ length: n }, (_, i) => FaultUpstream.start(`up${i}`)));
  t.after(() => Promise.all(ups.map((u) => u.close())));
  return ups;
}

function checkedCluster(t: TestContext, ports: number[], check: HealthCheckConfig): Cluster {
  const cluster = new Cluster(clusterConfig({ endpoints: ports.map((p) => endpoint('127.0.0.1', p)), health_checks: [check] }));
  t.after(() => cluster.close());
  return cluster;
}

test('hosts take no traffic before their first pass; one that never passed stays out and says why', async (t) => {
  const [up] = await upstreams(t, 1);
  const dead = await FaultUpstream.start('dead');
  await dead.kill();
  const cluster = checkedCluster(t, [up.port, dead.port], httpCheck());
  const [alive, never] = cluster.hosts;
  assert.deepEqual(alive.health.flags(), ['failed_active_hc', 'pending_active_hc']);
  assert.equal(cluster.chooseHost(undefined, null), null, 'nothing was seen alive yet');
  cluster.start();
  await cluster.firstHealthCheckRound();
  assert.equal(alive.healthy, true);
  assert.equal(never.healthy, false);
  assert.equal(never.health.active, 'unhealthy');
  assert.match(never.health.why()[0]!, /never passed one.*ECONNREFUSED/);
  for (let i = 0; i < 10; i++) assert.equal(cluster.chooseHost(undefined, null), alive);
  assert.ok(cluster.stats['health_check.network_failure'].value >= 1);
  assert.equal(cluster.stats['health_check.healthy'].value, 1);
});

test('a 503 fails a healthy host at once; it needs healthy_threshold passes to come back', async (t) => {
  const [up, other] = await upstreams(t, 2);
  const cluster = checkedCluster(t, [up.port, other.port], httpCheck({ healthy_threshold: 3 }));
  const host = cluster.hosts[0]!;
  cluster.start();
  await waitFor('both healthy', () => cluster.hosts.every((h) => h.healthy));
  up.fault = 'error503';
  await waitFor('the 503 host out', () => !host.healthy);
  assert.equal(host.health.consecutiveCheckFailures, 1, 'a bad status needs no threshold');
  assert.match(host.health.lastCheckError!, /status 503, expected 200/);
  up.fault = 'none';
  await waitFor('the host back', () => host.healthy);
  assert.ok(host.health.consecutiveCheckSuccesses >= 3);
});

test('network failures count against unhealthy_threshold; a killed host leaves and comes back when revived', async (t) => {
  const [up, other] = await upstreams(t, 2);
  const cluster = checkedCluster(t, [up.port, other.port], httpCheck({ unhealthy_threshold: 3, healthy_threshold: 1 }));
  const host = cluster.hosts[0]!;
  cluster.start();
  await waitFor('healthy', () => host.healthy);
  await up.kill();
  await waitFor('out', () => !host.healthy);
  assert.equal(host.health.consecutiveCheckFailures, 3);
  await up.revive();
  await waitFor('back', () => host.healthy);
});

test('a hanging host fails by timeout, and a slow check never starts a second one for the same host', async (t) => {
  const [hanging, slow, other] = await upstreams(t, 3);
  hanging.fault = 'hang';
  slow.fault = 'slow';
  slow.slowMs = 300; // six intervals long, within the timeout
  const cluster = checkedCluster(t, [hanging.port, slow.port, other.port], httpCheck({ timeout: '150ms', unhealthy_threshold: 1 }));
  cluster.start();
  await cluster.firstHealthCheckRound();
  assert.equal(cluster.hosts[0]!.healthy, false);
  assert.match(cluster.hosts[0]!.health.lastCheckError!, /timeout after 150 ms/);
  assert.equal(cluster.hosts[1]!.healthy, false, 'slower than the timeout');
  slow.slowMs = 120;
  await waitFor('slow host passes', () => cluster.hosts[1]!.healthy);
  await waitFor('a few slow checks', () => slow.checks >= 5);
  assert.equal(slow.maxChecksInFlight, 1);
  assert.equal(hanging.maxChecksInFlight, 1);
});

test('no_traffic_interval applies until the cluster has had traffic; unhealthy_interval while unhealthy', async (t) => {
  const [up] = await upstreams(t, 1);
  const cluster = checkedCluster(t, [up.port], httpCheck({ interval: '50ms', no_traffic_interval: '10s', unhealthy_interval: '10s' }));
  cluster.start();
  await cluster.firstHealthCheckRound();
  const first = up.checks;
  cluster.requestStarted(cluster.hosts[0]!); // traffic, but the next check was already scheduled 10 s away
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(up.checks, first, 'no check within the no-traffic interval');

  const [busy] = await upstreams(t, 1);
  busy.fault = 'error503';
  const sick = checkedCluster(t, [busy.port], httpCheck({ interval: '50ms', unhealthy_interval: '10s' }));
  sick.requestStarted(sick.hosts[0]!); // traffic from the start: only unhealthy_interval applies
  sick.start();
  await sick.firstHealthCheckRound();
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(busy.checks, 1, 'an unhealthy host is checked every unhealthy_interval');
});

test('tcp_health_check: connect, send, and expect the blocks in order', async (t) => {
  let answer = 'PONG';
  const server = createServer((socket) => socket.on('data', () => socket.write(answer)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;
  const hex = (s: string) => Buffer.from(s).toString('hex');
  const check = httpCheck({ http_health_check: undefined, tcp_health_check: { send: { text: hex('PING') }, receive: [{ text: hex('PO') }, { text: hex('NG') }] }, healthy_threshold: 1, unhealthy_threshold: 1, timeout: '200ms' });
  const cluster = checkedCluster(t, [port], check);
  cluster.start();
  await cluster.firstHealthCheckRound();
  assert.equal(cluster.hosts[0]!.healthy, true);
  answer = 'NOPE';
  await waitFor('wrong answer fails the check', () => !cluster.hosts[0]!.healthy);
  assert.match(cluster.hosts[0]!.health.lastCheckError!, /timeout/);
});
