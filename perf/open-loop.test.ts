import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { startUpstream } from '../gateway/harness.js';
import type { Load, Target } from './measure.js';
import { openLoop } from './open-loop.js';

function load(connections: number): Load {
  return { request: { method: 'GET', path: '/', bodyBytes: 0, responseBytes: 2 }, connections, body: undefined };
}

function target(port: number): Target {
  return { url: `http://127.0.0.1:${port}/`, headers: { 'x-perf': '1' }, pid: process.pid };
}

/** node:http sends a content-length when the whole body is given to end() before any header is written. */
function answer(status: number, body: string): (req: unknown, res: ServerResponse) => void {
  return (_req, res) => {
    res.statusCode = status;
    res.end(body);
  };
}

test('open loop: sends rate × seconds requests, never faster than the rate, and reads every answer', async () => {
  const upstream = await startUpstream('up', answer(200, 'up'));
  try {
    const result = await openLoop(target(upstream.port), load(4), 200, 1);
    assert.equal(result.requests, 200);
    assert.equal(result.errors, 0);
    assert.equal(result.non2xx, 0);
    assert.ok(result.requestsPerSecond <= 205, `${result.requestsPerSecond} req/s is faster than the rate`);
    assert.ok(result.latencyMs.p50 > 0 && result.latencyMs.p50 <= result.latencyMs.p99 && result.latencyMs.p99 <= result.latencyMs.p99_9);
    assert.equal(upstream.seen.length, 200);
    assert.equal(upstream.seen[0]?.headers['x-perf'], '1');
  } finally {
    await upstream.close();
  }
});

test('open loop: a slow server is charged from each request\'s due time (no coordinated omission)', async () => {
  // One connection, 40 ms per answer, 100 requests due per second: request i waits for the i before it.
  const upstream = await startUpstream('slow', (_req, res) => setTimeout(() => res.end('ok'), 40));
  try {
    const result = await openLoop(target(upstream.port), load(1), 100, 0.5);
    assert.equal(result.requests, 50);
    // A closed loop would report about 40 ms for every request; the last ones here were due ~1.5 s before they were answered.
    assert.ok(result.latencyMs.p99 > 800, `p99 ${result.latencyMs.p99} ms does not count the wait for the connection`);
    assert.ok(result.latencyMs.p50 > 300, `p50 ${result.latencyMs.p50} ms does not count the wait for the connection`);
  } finally {
    await upstream.close();
  }
});

test('open loop: an answer it cannot read (chunked) fails the run loudly', async () => {
  const upstream = await startUpstream('chunked', (_req, res) => {
    res.write('a');
    res.end('b');
  });
  try {
    await assert.rejects(openLoop(target(upstream.port), load(1), 50, 0.2), /no answer: .*content-length/);
  } finally {
    await upstream.close();
  }
});

test('open loop: answers other than 2xx are counted', async () => {
  const upstream = await startUpstream('failing', answer(503, 'no'));
  try {
    const result = await openLoop(target(upstream.port), load(2), 50, 0.4);
    assert.equal(result.requests, 20);
    assert.equal(result.non2xx, 20);
  } finally {
    await upstream.close();
  }
});
