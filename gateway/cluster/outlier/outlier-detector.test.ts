// Outlier detection rules on a Cluster fed with reported outcomes; interval ticks are driven by hand.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { OutlierDetectionConfig } from '../../config/types.js';
import { Cluster } from '../cluster.js';
import type { Host } from '../host.js';
import { clusterConfig, endpoint } from '../test-fixtures.js';

const DEFAULTS: OutlierDetectionConfig = {
  consecutive_5xx: 5,
  consecutive_gateway_failure: 5,
  consecutive_local_origin_failure: 5,
  interval: '10s',
  base_ejection_time: '30s',
  max_ejection_time: '300s',
  max_ejection_percent: 10,
  enforcing_consecutive_5xx: 100,
  enforcing_consecutive_gateway_failure: 0,
  enforcing_consecutive_local_origin_failure: 100,
  enforcing_success_rate: 100,
  enforcing_local_origin_success_rate: 100,
  enforcing_failure_percentage: 0,
  enforcing_failure_percentage_local_origin: 0,
  success_rate_minimum_hosts: 5,
  success_rate_request_volume: 100,
  success_rate_stdev_factor: 1900,
  failure_percentage_threshold: 85,
  failure_percentage_minimum_hosts: 5,
  failure_percentage_request_volume: 50,
  split_external_local_origin_errors: false,
  successful_active_health_check_uneject_host: true,
  always_eject_one_host: false,
};

function cluster(t: TestContext, hosts: number, od: Partial<OutlierDetectionConfig>): Cluster {
  const endpoints = Array.from({ length: hosts }, (_, i) => endpoint(`127.0.0.${i + 1}`, 80));
  const c = new Cluster(clusterConfig({ endpoints, outlier_detection: { ...DEFAULTS, ...od } }));
  t.after(() => c.close());
  return c;
}

function report(c: Cluster, host: Host, outcome: number | 'connect' | 'reset' | 'timeout', times: number): void {
  for (let i = 0; i < times; i++) c.reportResult(host, outcome);
}

test('consecutive_5xx ejects at the count; a success in between starts the count again', (t) => {
  const c = cluster(t, 4, { max_ejection_percent: 50 });
  const [a] = c.hosts;
  report(c, a, 500, 4);
  c.reportResult(a, 200);
  report(c, a, 500, 4);
  assert.equal(a.healthy, true);
  c.reportResult(a, 502);
  assert.equal(a.healthy, false);
  assert.equal(a.health.ejection!.rule, 'consecutive_5xx');
  assert.match(a.health.ejection!.detail, /5 consecutive 5xx, last: 502/);
  assert.deepEqual(a.health.flags(), ['failed_outlier_check']);
  assert.equal(c.stats['outlier_detection.ejections_active'].value, 1);
  assert.equal(c.stats['outlier_detection.ejections_enforced_consecutive_5xx'].value, 1);
  assert.equal(c.stats['outlier_detection.ejections_detected_consecutive_gateway_failure'].value, 0, 'the 500s broke the gateway-error run');
  for (let i = 0; i < 20; i++) assert.notEqual(c.chooseHost(undefined, null), a);
});

test('local-origin failures count as 5xx / gateway errors unless split; split counts them on their own', (t) => {
  const c = cluster(t, 4, { max_ejection_percent: 50 });
  const [a] = c.hosts;
  report(c, a, 'connect', 5);
  assert.equal(a.health.ejection?.rule, 'consecutive_5xx');
  assert.equal(c.stats['outlier_detection.ejections_detected_consecutive_gateway_failure'].value, 1, 'detected, but enforcing_consecutive_gateway_failure is 0');
  assert.match(a.health.ejection!.detail, /last: connect/);

  const s = cluster(t, 4, { max_ejection_percent: 50, split_external_local_origin_errors: true, consecutive_local_origin_failure: 3 });
  const [b] = s.hosts;
  report(s, b, 'timeout', 2);
  s.reportResult(b, 503); // a response: the connection worked, the local-origin run ends
  report(s, b, 'timeout', 2);
  assert.equal(b.healthy, true);
  s.reportResult(b, 'reset');
  assert.equal(b.health.ejection?.rule, 'consecutive_local_origin_failure');
});

test('max_ejection_percent (default 10) keeps a host in rotation and says so; always_eject_one_host allows one', (t) => {
  const c = cluster(t, 3, {});
  const [a] = c.hosts;
  report(c, a, 503, 5);
  assert.equal(a.healthy, true);
  assert.equal(c.stats['outlier_detection.ejections_overflow'].value, 1);
  assert.match(a.health.lastSpared!.reason, /max_ejection_percent is 10% and ejecting it would make 1 of 3 hosts \(33%\)/);

  const one = cluster(t, 3, { always_eject_one_host: true });
  const [x, y] = one.hosts;
  report(one, x, 503, 5);
  report(one, y, 503, 5);
  assert.deepEqual([x.healthy, y.healthy], [false, true]);
});

test('enforcing percentages: 0 detects without ejecting, and the host says which rule fired', (t) => {
  const c = cluster(t, 2, { max_ejection_percent: 100, consecutive_5xx: 100, enforcing_consecutive_gateway_failure: 0 });
  const [a] = c.hosts;
  report(c, a, 504, 5);
  assert.equal(a.healthy, true);
  assert.equal(c.stats['outlier_detection.ejections_detected_consecutive_gateway_failure'].value, 1);
  assert.match(a.health.lastSpared!.reason, /enforcing_consecutive_gateway_failure is 0%/);
});

test('ejection lasts base_ejection_time × times ejected, capped by max_ejection_time, and ends at an interval tick', (t) => {
  const c = cluster(t, 2, { max_ejection_percent: 100, base_ejection_time: '30s', max_ejection_time: '70s' });
  const [a] = c.hosts;
  const od = c.outlierDetector!;
  const durations: number[] = [];
  for (let n = 0; n < 3; n++) {
    report(c, a, 500, 5);
    const e = a.health.ejection!;
    durations.push(Math.round((e.until - e.at) / 1000));
    od.tick(e.until - 1);
    assert.equal(a.healthy, false, 'not before its time');
    od.tick(e.until);
    assert.equal(a.healthy, true);
  }
  assert.deepEqual(durations, [30, 60, 70]);
  assert.equal(a.health.timesEjected, 3);
  for (let i = 0; i < 3; i++) od.tick(Date.now());
  assert.equal(a.health.ejectionMultiplier, 0, 'decays one per interval out of ejection');
});

test('success rate: a host far below the mean of enough busy hosts is ejected at the interval', (t) => {
  const c = cluster(t, 6, { max_ejection_percent: 50, consecutive_5xx: 1000 });
  const hosts = c.hosts;
  for (const h of hosts.slice(1)) {
    report(c, h, 200, 99);
    c.reportResult(h, 500);
  }
  report(c, hosts[0]!, 200, 50);
  report(c, hosts[0]!, 500, 50);
  c.outlierDetector!.tick(Date.now());
  assert.equal(hosts[0]!.health.ejection?.rule, 'success_rate');
  assert.match(hosts[0]!.health.ejection!.detail, /success rate 50\.0% < threshold/);
  assert.equal(hosts.filter((h) => h.healthy).length, 5);
  // The next interval starts empty: too little volume, nothing evaluated.
  c.outlierDetector!.tick(Date.now());
  assert.equal(c.stats['outlier_detection.ejections_detected_success_rate'].value, 1);
});

test('failure percentage ejects hosts at or above the threshold when enforced', (t) => {
  const c = cluster(t, 5, { max_ejection_percent: 50, consecutive_5xx: 1000, enforcing_success_rate: 0, enforcing_failure_percentage: 100 });
  const hosts = c.hosts;
  for (const h of hosts.slice(1)) report(c, h, 200, 60);
  report(c, hosts[0]!, 200, 9);
  report(c, hosts[0]!, 503, 51);
  c.outlierDetector!.tick(Date.now());
  assert.equal(hosts[0]!.health.ejection?.rule, 'failure_percentage');
  assert.match(hosts[0]!.health.ejection!.detail, /85\.0% of 60 requests failed \(threshold 85%\)/);
});

test('a passing active health check un-ejects the host when successful_active_health_check_uneject_host', (t) => {
  const c = cluster(t, 2, { max_ejection_percent: 100 });
  const [a] = c.hosts;
  report(c, a, 500, 5);
  assert.equal(a.healthy, false);
  c.activeCheckPassed(a);
  assert.equal(a.healthy, true);
  assert.equal(c.stats['outlier_detection.ejections_active'].value, 0);
  const keep = cluster(t, 2, { max_ejection_percent: 100, successful_active_health_check_uneject_host: false });
  report(keep, keep.hosts[0]!, 500, 5);
  keep.activeCheckPassed(keep.hosts[0]!);
  assert.equal(keep.hosts[0]!.healthy, false);
});

test('a removed ejected host no longer counts as ejected', (t) => {
  const c = cluster(t, 2, { max_ejection_percent: 100 });
  const [a, b] = c.hosts;
  report(c, a, 500, 5);
  c.setHosts([b!]);
  assert.equal(c.stats['outlier_detection.ejections_active'].value, 0);
});
