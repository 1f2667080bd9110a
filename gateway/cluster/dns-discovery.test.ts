import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { pino } from 'pino';
import { Cluster } from './cluster.js';
import { DnsDiscovery, type DnsLookup } from './dns-discovery.js';
import { clusterConfig, endpoint } from './test-fixtures.js';

function dnsCluster(t: { after(fn: () => unknown): void }, fields: Parameters<typeof clusterConfig>[0] = {}) {
  const cluster = new Cluster(
    clusterConfig({ type: 'STRICT_DNS', endpoints: [endpoint('backend.test', 8080, { weight: 3 })], ...fields }),
  );
  t.after(() => cluster.close());
  return cluster;
}

const log = pino({ enabled: false });
const v4 = (...ips: string[]): LookupAddress[] => ips.map((address) => ({ address, family: 4 }));

/** A lookup answering from a script, one entry per call (an Error entry rejects); records what it was asked. */
function scriptedLookup(script: (LookupAddress[] | Error)[]) {
  const calls: { hostname: string; family: number }[] = [];
  const lookup: DnsLookup = async (hostname, options) => {
    calls.push({ hostname, family: options.family });
    const answer = script[Math.min(calls.length - 1, script.length - 1)];
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { lookup, calls };
}

test('localhost resolves to 127.0.0.1 with V4_ONLY, keeping the endpoint port and weight', async (t) => {
  const cluster = dnsCluster(t, { endpoints: [endpoint('localhost', 9081, { weight: 3 })] });
  assert.equal(cluster.chooseHost(undefined, null), null);
  const discovery = new DnsDiscovery(cluster, log);
  t.after(() => discovery.stop());
  await discovery.refresh();
  assert.deepEqual(cluster.hosts.map((h) => [h.hostname, h.weight]), [['127.0.0.1:9081', 3]]);
  assert.equal(cluster.chooseHost(undefined, null), cluster.hosts[0]);
  assert.deepEqual([cluster.stats.update_attempt.value, cluster.stats.update_success.value], [1, 1]);
});

test('hosts that stay keep their object; gone ones are closed; a failed lookup keeps the last hosts', async (t) => {
  const cluster = dnsCluster(t);
  const { lookup, calls } = scriptedLookup([
    v4('10.0.0.1', '10.0.0.2'),
    v4('10.0.0.2', '10.0.0.3', '10.0.0.3'),
    new Error('ETIMEOUT'),
    v4('10.0.0.3', '10.0.0.2'),
  ]);
  const discovery = new DnsDiscovery(cluster, log, lookup);

  await discovery.refresh();
  const [one, two] = cluster.hosts;
  assert.deepEqual(cluster.hosts.map((h) => h.hostname), ['10.0.0.1:8080', '10.0.0.2:8080']);
  assert.deepEqual(calls[0], { hostname: 'backend.test', family: 4 });

  await discovery.refresh();
  assert.deepEqual(cluster.hosts.map((h) => h.hostname), ['10.0.0.2:8080', '10.0.0.3:8080']);
  assert.equal(cluster.hosts[0], two);
  assert.equal(one.pool.closed, true);
  assert.equal(two.pool.closed, false);
  const afterChange = cluster.hosts;

  await discovery.refresh();
  assert.equal(cluster.hosts, afterChange);
  assert.equal(cluster.stats.update_failure.value, 1);

  // Same set in another order: nothing to rebuild.
  const changes = cluster.stats.membership_change.value;
  await discovery.refresh();
  assert.equal(cluster.hosts, afterChange);
  assert.equal(cluster.stats.membership_change.value, changes);
  assert.deepEqual([cluster.stats.update_attempt.value, cluster.stats.update_success.value], [4, 3]);
});

test('each endpoint resolves on its own: a failure keeps only that endpoint’s hosts', async (t) => {
  const cluster = dnsCluster(t, { endpoints: [endpoint('a.test', 1), endpoint('b.test', 2, { priority: 0 })] });
  let round = 0;
  const lookup: DnsLookup = async (hostname) => {
    if (hostname === 'a.test') return v4(round === 0 ? '10.0.1.1' : '10.0.1.2');
    if (round === 0) return v4('10.0.2.1');
    throw new Error('SERVFAIL');
  };
  const discovery = new DnsDiscovery(cluster, log, lookup);
  await discovery.refresh();
  round = 1;
  await discovery.refresh();
  assert.deepEqual(cluster.hosts.map((h) => h.hostname), ['10.0.1.2:1', '10.0.2.1:2']);
});

test('AUTO prefers IPv6 addresses when the name has any', async (t) => {
  const cluster = dnsCluster(t, { dns_lookup_family: 'AUTO' });
  const { lookup, calls } = scriptedLookup([[{ address: '10.0.0.1', family: 4 }, { address: '::1', family: 6 }]]);
  await new DnsDiscovery(cluster, log, lookup).refresh();
  assert.equal(calls[0].family, 0);
  assert.deepEqual(cluster.hosts.map((h) => h.hostname), ['[::1]:8080']);
});

test('start resolves once, then again every dns_refresh_rate until stop', async (t) => {
  const cluster = dnsCluster(t, { dns_refresh_rate: '10ms' });
  let answered = 0;
  let third: () => void;
  const thirdLookup = new Promise<void>((resolve) => (third = resolve));
  const discovery = new DnsDiscovery(cluster, log, async () => {
    if (++answered === 3) third();
    return v4(`10.0.0.${answered}`);
  });
  t.after(() => discovery.stop());
  await discovery.start();
  assert.deepEqual(cluster.hosts.map((h) => h.address), ['10.0.0.1']);
  let deadline: NodeJS.Timeout | undefined;
  await Promise.race([
    thirdLookup,
    new Promise((_, reject) => (deadline = setTimeout(reject, 3000, new Error('no third lookup within 3s')))),
  ]);
  clearTimeout(deadline);
  discovery.stop();
  const calls = answered;
  // Already-running lookups may land, but no new one starts after stop: the count stays.
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(answered, calls);
  assert.ok(cluster.hosts[0].address.startsWith('10.0.0.'));
});

test('a failing endpoint is logged when it starts failing and when it recovers, not on every lookup', async (t) => {
  const cluster = dnsCluster(t);
  const lines: { level: number; msg: string; address?: string }[] = [];
  const capture = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const { lookup } = scriptedLookup([v4('10.0.0.1'), new Error('SERVFAIL'), new Error('SERVFAIL'), v4('10.0.0.1')]);
  const discovery = new DnsDiscovery(cluster, capture, lookup);
  for (let i = 0; i < 4; i++) await discovery.refresh();
  assert.deepEqual(
    lines.map((l) => l.msg),
    ['cluster hosts changed', 'DNS resolution failed, keeping the last hosts', 'DNS resolution recovered'],
  );
  assert.equal(lines[1].address, 'backend.test');
  assert.equal(cluster.stats.update_failure.value, 2);
});
