import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computePriorityLoad } from './priority-load.js';

const levels = (...pairs: [healthy: number, total: number][]) => pairs.map(([healthy, total]) => ({ healthy, total }));

test("Envoy's documented examples: P0's health × 1.4 spills to P1", () => {
  // From Envoy's priority levels page (P=1 fully healthy).
  const cases: [number, number[]][] = [
    [100, [100, 0]],
    [72, [100, 0]],
    [71, [99, 1]],
    [50, [70, 30]],
    [25, [35, 65]],
    [0, [0, 100]],
  ];
  for (const [p0, expected] of cases) assert.deepEqual(computePriorityLoad(levels([p0, 100], [100, 100]), 50).load, expected, `P0 ${p0}%`);
});

test('when the levels together are short of 100, load is normalized and the sick levels panic', () => {
  const r = computePriorityLoad(levels([2, 10], [3, 10]), 50); // health 28 and 42
  assert.equal(r.normalizedTotalHealth, 70);
  assert.deepEqual(r.load, [40, 60]);
  assert.deepEqual(r.panic, [true, true]);
  const healthyEnough = computePriorityLoad(levels([6, 10]), 50); // 84 < 100, but 60% >= 50%
  assert.deepEqual([healthyEnough.load, healthyEnough.panic], [[100], [false]]);
});

test('no healthy host anywhere: everything to the first level with hosts, in panic unless the threshold is 0', () => {
  assert.deepEqual(computePriorityLoad(levels([0, 3], [0, 2]), 50), { load: [100, 0], health: [0, 0], panic: [true, true], normalizedTotalHealth: 0 });
  assert.deepEqual(computePriorityLoad(levels([0, 3]), 0).panic, [false]);
  assert.deepEqual(computePriorityLoad([], 50).load, []);
});

test('a fully healthy total disregards the panic threshold', () => {
  const r = computePriorityLoad(levels([1, 4], [10, 10]), 50); // P0 25%: 35 + 100 → normalized 100
  assert.deepEqual([r.load, r.panic], [[35, 65], [false, false]]);
});
