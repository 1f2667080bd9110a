import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashString } from '../hash.js';
import { countPicks, makeHosts } from '../test-fixtures.js';
import { isPrime, MaglevLb } from './maglev.js';

const KEYS = Array.from({ length: 20_000 }, (_, i) => hashString(`session-${i}`));

test('table_size must be prime', () => {
  assert.throws(() => new MaglevLb(65536), /prime/);
  assert.doesNotThrow(() => new MaglevLb(65537));
  assert.deepEqual([1, 2, 9, 65535, 65537, 65539].map(isPrime), [false, true, false, false, true, true]);
});

test('the same key always goes to the same host', (t) => {
  const hosts = makeHosts(t, [1, 1, 1]);
  const lb = new MaglevLb(65537);
  lb.rebuild(hosts);
  for (const key of KEYS.slice(0, 200)) assert.equal(lb.pick(key, null), lb.pick(key, null));
});

test('keys spread across hosts by weight', (t) => {
  const hosts = makeHosts(t, [1, 1, 2]);
  const lb = new MaglevLb(65537);
  lb.rebuild(hosts);
  const counts = countPicks(hosts, KEYS.map((k) => lb.pick(k, null)));
  const expected = [0.25, 0.25, 0.5];
  counts.forEach((c, i) => assert.ok(Math.abs(c / KEYS.length - expected[i]) < 0.02, `host ${i}: ${c / KEYS.length}`));
});

test('removing one of 5 hosts moves about its share of keys', (t) => {
  const hosts = makeHosts(t, [1, 1, 1, 1, 1]);
  const lb = new MaglevLb(65537);
  lb.rebuild(hosts);
  const before = KEYS.map((k) => lb.pick(k, null));
  const removed = hosts[3];
  lb.rebuild(hosts.filter((h) => h !== removed));
  let moved = 0;
  KEYS.forEach((k, i) => {
    const now = lb.pick(k, null);
    assert.notEqual(now, removed);
    if (now !== before[i]) moved++;
  });
  const share = moved / KEYS.length;
  // The removed host held ~20%; Maglev moves a few percent more, a naive modulo hash would move ~80%.
  assert.ok(share >= 0.18 && share < 0.27, `moved ${share}`);
});

test('an excluded host hands the key to another host; all excluded still yields one', (t) => {
  const hosts = makeHosts(t, [1, 1, 1]);
  const lb = new MaglevLb(251);
  lb.rebuild(hosts);
  for (const key of KEYS.slice(0, 100)) {
    const first = lb.pick(key, null)!;
    const retry = lb.pick(key, new Set([first]));
    assert.ok(retry !== null && retry !== first);
    assert.ok(hosts.includes(lb.pick(key, new Set(hosts))!));
  }
  const counts = countPicks(hosts, Array.from({ length: 3000 }, () => lb.pick(undefined, null)));
  for (const c of counts) assert.ok(c > 800, `random picks without a key: ${counts}`);
  lb.rebuild([]);
  assert.equal(lb.pick(KEYS[0], null), null);
});
