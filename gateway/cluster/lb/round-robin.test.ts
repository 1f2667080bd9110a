import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countPicks, makeHosts } from '../test-fixtures.js';
import { RoundRobinLb } from './round-robin.js';

function picks(lb: RoundRobinLb, n: number) {
  return Array.from({ length: n }, () => lb.pick(undefined, null));
}

test('weights 1 and 2 split 3000 picks exactly 1000/2000', (t) => {
  const hosts = makeHosts(t, [1, 2]);
  const lb = new RoundRobinLb();
  lb.rebuild(hosts);
  assert.deepEqual(countPicks(hosts, picks(lb, 3000)), [1000, 2000]);
});

test("the order is nginx's smooth sequence", (t) => {
  const [a, b, c] = makeHosts(t, [5, 1, 1]);
  const lb = new RoundRobinLb();
  lb.rebuild([a, b, c]);
  assert.deepEqual(picks(lb, 14), [a, a, b, a, c, a, a, a, a, b, a, c, a, a]);
});

test('equal weights rotate in order', (t) => {
  const hosts = makeHosts(t, [3, 3, 3]);
  const lb = new RoundRobinLb();
  lb.rebuild(hosts);
  assert.deepEqual(picks(lb, 6), [...hosts, ...hosts]);
});

test('a host set too large to precompute still gives the exact weighted split', (t) => {
  // 300 hosts with weights 127/128: period 38250, 300 × 38250 exceeds the precompute budget.
  const weights = Array.from({ length: 300 }, (_, i) => 127 + (i % 2));
  const hosts = makeHosts(t, weights);
  const lb = new RoundRobinLb();
  lb.rebuild(hosts);
  const period = weights.reduce((a, b) => a + b);
  assert.deepEqual(countPicks(hosts, picks(lb, period)), weights);
});

test('excluded hosts are skipped while another is available', (t) => {
  const [a, b, c] = makeHosts(t, [1, 1, 4]);
  const lb = new RoundRobinLb();
  lb.rebuild([a, b, c]);
  const exclude = new Set([c, a]);
  for (let i = 0; i < 30; i++) assert.equal(lb.pick(undefined, exclude), b);
});

test('when every host is excluded one is returned anyway', (t) => {
  const hosts = makeHosts(t, [1, 2]);
  const lb = new RoundRobinLb();
  lb.rebuild(hosts);
  const picked = lb.pick(undefined, new Set(hosts));
  assert.ok(picked !== null && hosts.includes(picked));
});

test('no hosts: null; a rebuild replaces the set', (t) => {
  const [a, b] = makeHosts(t, [1, 1]);
  const lb = new RoundRobinLb();
  assert.equal(lb.pick(undefined, null), null);
  lb.rebuild([a, b]);
  lb.rebuild([b]);
  assert.deepEqual(picks(lb, 3), [b, b, b]);
  lb.rebuild([]);
  assert.equal(lb.pick(undefined, null), null);
});
