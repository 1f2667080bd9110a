import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { ClusterManager } from './cluster-manager.js';
import { clusterConfig, endpoint } from './test-fixtures.js';

const log = pino({ enabled: false });

test('clusters are found by name', async (t) => {
  const configs = [clusterConfig({ name: 'a' }), clusterConfig({ name: 'b', lb_policy: 'random' })];
  const manager = new ClusterManager(configs, log);
  t.after(() => manager.close());
  assert.equal(manager.get('a')?.name, 'a');
  assert.equal(manager.get('b')?.config.lb_policy, 'random');
  assert.equal(manager.get('c'), undefined);
  assert.deepEqual([...manager.clusters()].map((c) => c.name), ['a', 'b']);
  const twice = [clusterConfig({ name: 'a' }), clusterConfig({ name: 'a' })];
  assert.throws(() => new ClusterManager(twice, log), /duplicate cluster name "a"/);
});

test('start resolves STRICT_DNS clusters before it returns; close closes every pool, once', async (t) => {
  const configs = [
    clusterConfig({ name: 'static' }),
    clusterConfig({ name: 'dns', type: 'STRICT_DNS', endpoints: [endpoint('localhost', 9090)] }),
  ];
  const manager = new ClusterManager(configs, log);
  t.after(() => manager.close());
  await manager.start();
  const dns = manager.get('dns')!;
  assert.deepEqual(dns.hosts.map((h) => h.hostname), ['127.0.0.1:9090']);
  const hosts = [...manager.get('static')!.hosts, ...dns.hosts];
  const closing = manager.close();
  assert.equal(manager.close(), closing);
  await closing;
  for (const h of hosts) assert.equal(h.pool.destroyed, true);
});

test('start gives up waiting for DNS after its timeout; the cluster then has no host', async (t) => {
  const manager = new ClusterManager(
    [clusterConfig({ type: 'STRICT_DNS', endpoints: [endpoint('never.test', 80)] })],
    log,
    { dnsLookup: () => new Promise(() => {}), initialDnsTimeoutMs: 50 },
  );
  t.after(() => manager.close());
  const started = Date.now();
  await manager.start();
  assert.ok(Date.now() - started < 2000);
  assert.equal(manager.get('backend')!.chooseHost(undefined, null), null);
});
