import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameBoundaries } from './ws-frames.js';

/** An unmasked frame with `n` payload bytes (7-bit, 16-bit or 64-bit length as the size needs). */
function frame(n: number, masked = false): Buffer {
  const len = n < 126 ? Buffer.from([n | (masked ? 0x80 : 0)]) : n < 65536 ? Buffer.from([126 | (masked ? 0x80 : 0), n >> 8, n & 0xff]) : Buffer.alloc(9);
  if (n >= 65536) {
    len[0] = 127 | (masked ? 0x80 : 0);
    len.writeBigUInt64BE(BigInt(n), 1);
  }
  return Buffer.concat([Buffer.from([0x82]), len, masked ? Buffer.alloc(4) : Buffer.alloc(0), Buffer.alloc(n, 7)]);
}

test('frame boundaries: whole frames, extended lengths, masks, and headers split across chunks', () => {
  const stream = Buffer.concat([frame(5), frame(300), frame(70_000), frame(0, true), frame(10, true)]);
  const ends = [7, 7 + 304, 7 + 304 + 70_010, 7 + 304 + 70_010 + 6, stream.length];
  for (const size of [1, 2, 3, 5, 64, 1000, stream.length]) {
    const f = new FrameBoundaries();
    const seen: number[] = [];
    for (let at = 0; at < stream.length; at += size) {
      const chunk = stream.subarray(at, at + size);
      const first = f.feed(chunk);
      if (first >= 0) seen.push(at + first);
    }
    assert.ok(f.atBoundary, `chunks of ${size}: ends at a boundary`);
    // Each chunk reports the first frame it completes: every reported offset is a real frame end.
    for (const s of seen) assert.ok(ends.includes(s), `chunks of ${size}: ${s} is a frame end`);
    if (size === 1) assert.deepEqual(seen, ends);
  }
  const mid = new FrameBoundaries();
  assert.equal(mid.feed(frame(300).subarray(0, 100)), -1);
  assert.equal(mid.atBoundary, false);
});
