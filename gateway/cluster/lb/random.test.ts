import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countPicks, makeHosts } from '../test-fixtures.js';
import { RandomLb } from './random.js';

test('picks follow the weights', (t) => {
  const hosts = makeHosts(t, [1, 3, 4]);
  const lb = new RandomLb();
  lb.rebuild(hosts);
  const n = 80_000;
  const counts = countPicks(hosts, Array.from({ length: n }, () => lb.pick(undefined, null)));
  const expected = [1 / 8, 3 / 8, 4 / 8];
  counts.forEach((c, i) => assert.ok(Math.abs(c / n - expected[i]) < 0.01, `host ${i}: ${c / n} vs ${expected[i]}`));
});

test('equal weights spread evenly', (t) => {
  const hosts = makeHosts(t, [2, 2, 2, 2]);
  const lb = new RandomLb();
  lb.rebuild(hosts);
  const n = 40_000;
  for (const c of countPicks(hosts, Array.from({ length: n }, () => lb.pick(undefined, null)))) {
    assert.ok(Math.abs(c / n - 0.25) < 0.015, `${c / n}`);
  }
});

test('excluded hosts are avoided, even when they carry nearly all the weight', (t) => {
  const [light, heavy] = makeHosts(t, [1, 128]);
  const lb = new RandomLb();
  lb.rebuild([light, heavy]);
  const exclude = new Set([heavy]);
  for (let i = 0; i < 200; i++) assert.equal(lb.pick(undefined, exclude), light);
});

test('when every host is excluded one is returned anyway; no hosts gives null', (t) => {
  const hosts = makeHosts(t, [1, 1]);
  const lb = new RandomLb();
  assert.equal(lb.pick(undefined, null), null);
  lb.rebuild(hosts);
  const picked = lb.pick(undefined, new Set(hosts));
  assert.ok(picked !== null && hosts.includes(picked));
});
