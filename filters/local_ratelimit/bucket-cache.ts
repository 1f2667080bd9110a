// The buckets of a descriptor without a fixed value, one per distinct value, in a bounded LRU: a flood
// of distinct values evicts the least recently used buckets instead of growing memory. An evicted
// value that comes back starts with a full bucket again.
import { createHash } from 'node:crypto';
import { TokenBucket } from './token-bucket.js';
import type { BucketSpec } from './token-bucket.js';

/** Values longer than this are keyed by their digest, so a key never holds more than ~64 characters. */
const MAX_KEY_LENGTH = 64;

export class BucketCache {
  /** Insertion order is recency order: a hit moves the entry to the end. */
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly spec: BucketSpec,
    private readonly capacity: number,
  ) {}

  get size(): number {
    return this.buckets.size;
  }

  get(value: string, now: number): TokenBucket {
    const key = value.length > MAX_KEY_LENGTH ? createHash('sha256').update(value).digest('base64') : value;
    const buckets = this.buckets;
    let bucket = buckets.get(key);
    if (bucket !== undefined) {
      buckets.delete(key);
    } else {
      bucket = new TokenBucket(this.spec, now);
      if (buckets.size >= this.capacity) buckets.delete(buckets.keys().next().value!);
    }
    buckets.set(key, bucket);
    return bucket;
  }
}
