import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RouteAction } from '../config/types.js';
import { compileClusterPicker } from './weighted.js';

function action(a: Partial<RouteAction>): RouteAction {
  return { timeout: '15s', per_request_buffer_limit_bytes: 1048576, ...a };
}

const split = (clusters: { name: string; weight: number }[]) => action({ weighted_clusters: { clusters } });

test('a single cluster is always picked', () => {
  assert.equal(compileClusterPicker(action({ cluster: 'one' }), () => 0.99)(), 'one');
});

test('a 90/10 split over 10,000 picks lands within 1.5% of its weights', () => {
  const pick = compileClusterPicker(split([{ name: 'stable', weight: 90 }, { name: 'canary', weight: 10 }]));
  let canary = 0;
  for (let i = 0; i < 10_000; i++) if (pick() === 'canary') canary++;
  assert.ok(Math.abs(canary / 10_000 - 0.1) <= 0.015, `canary share ${canary / 10_000}`);
});

test('the draw maps onto the weights at their exact boundaries', () => {
  let draw = 0;
  const pick = compileClusterPicker(split([{ name: 'a', weight: 90 }, { name: 'b', weight: 10 }]), () => draw);
  const at = (r: number) => ((draw = r), pick());
  assert.equal(at(0), 'a');
  assert.equal(at(0.8999), 'a');
  assert.equal(at(0.9), 'b');
  assert.equal(at(0.9999), 'b');
});

test('weights of zero are never picked, wherever they sit', () => {
  let draw = 0;
  const pick = compileClusterPicker(
    split([{ name: 'z1', weight: 0 }, { name: 'x', weight: 1 }, { name: 'y', weight: 3 }, { name: 'z2', weight: 0 }]),
    () => draw,
  );
  const seen = new Map<string, number>();
  for (let i = 0; i < 100; i++) {
    draw = i / 100;
    const name = pick();
    seen.set(name, (seen.get(name) ?? 0) + 1);
  }
  assert.deepEqual([...seen.entries()].sort(), [['x', 25], ['y', 75]]);
});

test('weights summing to 0 are refused at load', () => {
  assert.throws(() => compileClusterPicker(split([{ name: 'a', weight: 0 }])), /sum/);
});
