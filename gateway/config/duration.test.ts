import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DURATION_PATTERN, parseDuration } from './duration.js';

test('parseDuration turns each unit into milliseconds', () => {
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('5s'), 5000);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('1.005s'), 1005);
  assert.equal(parseDuration('1m'), 60_000);
  assert.equal(parseDuration('2h'), 7_200_000);
  assert.equal(parseDuration('0s'), 0);
  assert.equal(parseDuration('0.5ms'), 0.5);
});

test('parseDuration throws on what the schema rejects, and the schema pattern agrees', () => {
  const pattern = new RegExp(DURATION_PATTERN);
  for (const bad of ['', '5', 's', '-1s', '1.s', '.5s', '1d', ' 5s', '5s ', '5 s', '1S', '1e3ms', '5sec']) {
    assert.throws(() => parseDuration(bad), /invalid duration/, bad);
    assert.equal(pattern.test(bad), false, bad);
  }
  assert.throws(() => parseDuration(5 as unknown as string), /invalid duration 5/);
  for (const good of ['250ms', '1.5s', '10m', '24h']) assert.equal(pattern.test(good), true, good);
});
