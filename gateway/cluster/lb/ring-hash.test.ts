import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashString } from '../hash.js';
import type { Host } from '../host.js';
import { countPicks, makeHosts } from '../test-fixtures.js';
import { RingHashLb } from './ring-hash.js';

const KEYS = Array.from({ length: 20_000 }, (_, i) => hashString(`user-${i}`));

/** A ring configured for (and built over) `hosts`. */
function ring(hosts: readonly Host[], maximumRingSize = 8388608): RingHashLb {
  const lb = new RingHashLb(1024, maximumRingSize, hosts.reduce((sum, h) => sum + h.weight, 0));
  lb.rebuild(hosts);
  return lb;
}

test('the same key always goes to the same host', (t) => {
  const hosts = makeHosts(t, [1, 1, 1]);
  const lb = ring(hosts);
  for (const key of KEYS.slice(0, 200)) {
    const first = lb.pick(key, null);
    assert.equal(lb.pick(key, null), first);
    assert.equal(lb.pick(key, null), first);
  }
});

test('keys spread across hosts roughly by weight', (t) => {
  const hosts = makeHosts(t, [1, 1, 2]);
  const lb = ring(hosts);
  // The configured hosts fill minimum_ring_size points.
  assert.equal(lb.size, 1024);
  const counts = countPicks(hosts, KEYS.map((k) => lb.pick(k, null)));
  const expected = [0.25, 0.25, 0.5];
  counts.forEach((c, i) => assert.ok(Math.abs(c / KEYS.length - expected[i]) < 0.06, `host ${i}: ${c / KEYS.length}`));
});

test('maximum_ring_size caps the ring, keeping the weights', (t) => {
  const hosts = makeHosts(t, [1, 1, 2]);
  const lb = ring(hosts, 100);
  assert.equal(lb.size, 100);
  const counts = countPicks(hosts, KEYS.map((k) => lb.pick(k, null)));
  assert.ok(counts[2] > counts[0] && counts[2] > counts[1], `${counts}`);
});

test('removing a host moves only the keys it owned', (t) => {
  const hosts = makeHosts(t, [1, 2, 1, 1]);
  const lb = ring(hosts);
  const before = KEYS.map((k) => lb.pick(k, null));
  const removed = hosts[2];
  lb.rebuild(hosts.filter((h) => h !== removed));
  let moved = 0;
  KEYS.forEach((k, i) => {
    const now = lb.pick(k, null);
    if (before[i] === removed) moved++;
    else assert.equal(now, before[i]);
    assert.notEqual(now, removed);
  });
  assert.ok(moved / KEYS.length > 0.1 && moved / KEYS.length < 0.3, `moved ${moved / KEYS.length}`);
});

test('without a hash key the pick is random over the ring', (t) => {
  const hosts = makeHosts(t, [1, 1]);
  const lb = ring(hosts);
  const counts = countPicks(hosts, Array.from({ length: 4000 }, () => lb.pick(undefined, null)));
  for (const c of counts) assert.ok(c > 1600, `${counts}`);
});

test('an excluded host hands the key to the next host clockwise, the same one every time', (t) => {
  const hosts = makeHosts(t, [1, 1, 1]);
  const lb = ring(hosts);
  for (const key of KEYS.slice(0, 100)) {
    const first = lb.pick(key, null)!;
    const exclude = new Set([first]);
    const retry = lb.pick(key, exclude);
    assert.ok(retry !== null && retry !== first);
    assert.equal(lb.pick(key, exclude), retry);
    assert.ok(hosts.includes(lb.pick(key, new Set(hosts))!));
  }
  lb.rebuild([]);
  assert.equal(lb.pick(KEYS[0], null), null);
});
