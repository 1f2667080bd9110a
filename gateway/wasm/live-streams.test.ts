import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiveStreams } from './live-streams.js';
import type { WasmStream } from './stream.js';

const stream = (id: number): WasmStream => ({ id }) as WasmStream;

test('streams are found by id after others before and after them are removed', () => {
  const live = new LiveStreams();
  const [a, b, c, d] = [1, 2, 3, 4].map(stream) as [WasmStream, WasmStream, WasmStream, WasmStream];
  for (const s of [a, b, c, d]) live.add(s);
  live.delete(b); // d moves into b's place
  live.delete(d); // the one that moved
  live.delete(d); // twice is nothing
  assert.equal(live.get(1), a);
  assert.equal(live.get(2), undefined);
  assert.equal(live.get(3), c);
  assert.equal(live.get(4), undefined);
  assert.deepEqual(new Set(live.takeAll()), new Set([a, c]));
});

test('a stream that is not the one registered under its id is not removed', () => {
  const live = new LiveStreams();
  const a = stream(7);
  live.add(a);
  live.delete(stream(7));
  assert.equal(live.get(7), a);
});

test('takeAll returns every stream and forgets them', () => {
  const live = new LiveStreams();
  const all = [5, 6, 7].map(stream);
  for (const s of all) live.add(s);
  live.delete(all[0]!);
  assert.deepEqual(new Set(live.takeAll()), new Set(all.slice(1)));
  assert.equal(live.get(6), undefined);
  assert.deepEqual(live.takeAll(), []);
});
