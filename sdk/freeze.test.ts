import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deepFreeze } from './freeze.js';

test('deepFreeze freezes nested objects and arrays and returns its argument', () => {
  const value = { a: { b: [{ c: 1 }] }, s: 'x' };
  assert.equal(deepFreeze(value), value);
  assert.ok(Object.isFrozen(value.a));
  assert.ok(Object.isFrozen(value.a.b));
  assert.ok(Object.isFrozen(value.a.b[0]));
  assert.throws(() => {
    value.a.b[0]!.c = 2;
  }, TypeError);
});

test('deepFreeze goes through already-frozen objects and stops on cycles', () => {
  const inner = { n: 1 };
  const outer = Object.freeze({ inner });
  deepFreeze(outer);
  assert.ok(Object.isFrozen(inner));
  const cyclic: Record<string, unknown> = { x: {} };
  cyclic.self = cyclic;
  deepFreeze(cyclic);
  assert.ok(Object.isFrozen(cyclic.x));
  assert.equal(deepFreeze(3), 3);
  assert.equal(deepFreeze(null), null);
});
