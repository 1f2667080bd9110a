import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LimitTree } from './limits.js';

const tree = new LimitTree([
  { key: 'remote_address', rate_limit: { unit: 'second', requests_per_unit: 10 } },
  {
    key: 'generic_key',
    value: 'api',
    descriptors: [
      { key: 'plan', value: 'free', rate_limit: { unit: 'minute', requests_per_unit: 1 } },
      { key: 'plan', rate_limit: { unit: 'hour', requests_per_unit: 100 } },
    ],
  },
]);

test('a value node wins over a key node, nested levels walk one entry each', () => {
  assert.deepEqual(tree.find(['remote_address', '10.0.0.1']), { requestsPerUnit: 10, unitSeconds: 1 });
  assert.deepEqual(tree.find(['generic_key', 'api', 'plan', 'free']), { requestsPerUnit: 1, unitSeconds: 60 });
  assert.deepEqual(tree.find(['generic_key', 'api', 'plan', 'gold']), { requestsPerUnit: 100, unitSeconds: 3600 });
});

test('no limit when a level has no node or the last node has no rate_limit', () => {
  assert.equal(tree.find(['generic_key', 'api']), undefined, 'the api node has no limit of its own');
  assert.equal(tree.find(['generic_key', 'other', 'plan', 'free']), undefined);
  assert.equal(tree.find(['user', 'alice']), undefined);
  assert.equal(tree.find(['remote_address', '10.0.0.1', 'extra', 'x']), undefined);
});

test('duplicate descriptors are a config error with the path', () => {
  assert.throws(
    () => new LimitTree([{ key: 'a', descriptors: [{ key: 'b', value: 'x' }, { key: 'b', value: 'x' }] }]),
    /descriptors\[0\]\.descriptors\[1\]: duplicate descriptor key "b" with value "x"/,
  );
});
