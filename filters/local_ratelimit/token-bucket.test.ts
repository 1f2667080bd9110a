import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket } from './token-bucket.js';
import { BucketCache } from './bucket-cache.js';

const spec = { maxTokens: 3, tokensPerFill: 2, fillIntervalMs: 1000 };

test('a bucket starts full and refills in whole fills, capped at max_tokens', () => {
  const b = new TokenBucket(spec, 0);
  assert.equal(b.remaining, 3);
  b.take();
  b.take();
  b.take();
  b.refill(999);
  assert.equal(b.remaining, 0, 'no fill before the interval ends');
  assert.equal(b.msToNextFill(999), 1);
  b.refill(1000);
  assert.equal(b.remaining, 2);
  b.refill(5500);
  assert.equal(b.remaining, 3, 'capped');
  assert.equal(b.msToNextFill(5500), 500, 'fills stay on the interval grid');
});

test('the cache keeps at most capacity buckets and evicts the least recently used', () => {
  const c = new BucketCache({ maxTokens: 1, tokensPerFill: 1, fillIntervalMs: 60_000 }, 2);
  c.get('a', 0).take();
  c.get('b', 0).take();
  assert.equal(c.get('a', 0).remaining, 0, 'a is used again: now b is the oldest');
  c.get('c', 0);
  assert.equal(c.size, 2);
  assert.equal(c.get('a', 0).remaining, 0, 'a survived');
  assert.equal(c.get('b', 0).remaining, 1, 'b was evicted and starts full');
});

test('long values are keyed by digest, distinct values keep distinct buckets', () => {
  const c = new BucketCache({ maxTokens: 1, tokensPerFill: 1, fillIntervalMs: 60_000 }, 10);
  const long1 = 'x'.repeat(10_000);
  const long2 = 'x'.repeat(9_999) + 'y';
  c.get(long1, 0).take();
  assert.equal(c.get(long1, 0).remaining, 0);
  assert.equal(c.get(long2, 0).remaining, 1);
});
