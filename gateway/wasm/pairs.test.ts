import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deserializePairs, serializePairs } from './pairs.js';

test('pairs serialise as the ABI says: u32 count, u32 lengths, NUL-terminated bytes', () => {
  const b = serializePairs([
    ['a', '1'],
    ['bb', ''],
  ]);
  const expected = Buffer.concat([
    Buffer.from([2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]),
    Buffer.from('a\0' + '1\0' + 'bb\0' + '\0', 'latin1'),
  ]);
  assert.deepEqual(b, expected);
  assert.deepEqual(deserializePairs(b), [
    ['a', '1'],
    ['bb', ''],
  ]);
});

test('header bytes survive the round trip unchanged (latin1)', () => {
  const v = 'caf\u00e9 \u00ff';
  assert.deepEqual(deserializePairs(serializePairs([['x', v]])), [['x', v]]);
});

test('an empty map is zero bytes or a single NUL', () => {
  assert.deepEqual(deserializePairs(new Uint8Array(0)), []);
  assert.deepEqual(deserializePairs(new Uint8Array([0])), []);
  assert.deepEqual(deserializePairs(serializePairs([])), []);
});

test('malformed maps are refused', () => {
  assert.throws(() => deserializePairs(new Uint8Array([1, 0])), /shorter than its count/);
  assert.throws(() => deserializePairs(new Uint8Array([1, 0, 0, 0, 5, 0, 0, 0])), /length table/);
  assert.throws(() => deserializePairs(new Uint8Array([1, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 97, 0])), /runs past its end/);
  const huge = Buffer.alloc(4);
  huge.writeUInt32LE(5000);
  assert.throws(() => deserializePairs(huge), /over 1024/);
});
