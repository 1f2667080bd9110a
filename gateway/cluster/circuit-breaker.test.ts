import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CircuitBreaker } from './circuit-breaker.js';
import { makeHosts } from './test-fixtures.js';

const thresholds = {
  thresholds: [
    { priority: 'HIGH' as const, max_connections: 9, max_pending_requests: 9, max_requests: 9, max_retries: 9 },
    { priority: 'DEFAULT' as const, max_connections: 2, max_pending_requests: 1, max_requests: 3, max_retries: 1 },
  ],
};

test('defaults (Envoy\'s, but max_retries 1024) apply without circuit_breakers; otherwise the DEFAULT thresholds', () => {
  const defaults = new CircuitBreaker(undefined);
  assert.deepEqual(
    [defaults.maxConnections, defaults.maxPendingRequests, defaults.maxRequests, defaults.maxRetries],
    [1024, 1024, 1024, 1024],
  );
  const b = new CircuitBreaker(thresholds);
  assert.deepEqual([b.maxConnections, b.maxPendingRequests, b.maxRequests, b.maxRetries], [2, 1, 3, 1]);
});

test('max_requests bounds active requests', () => {
  const b = new CircuitBreaker(thresholds);
  assert.deepEqual([b.tryStartRequest(), b.tryStartRequest(), b.tryStartRequest()], [true, true, true]);
  assert.equal(b.tryStartRequest(), false);
  b.finishRequest();
  assert.equal(b.tryStartRequest(), true);
  assert.equal(b.activeRequests, 3);
});

test('max_retries bounds concurrent retries', () => {
  const b = new CircuitBreaker(thresholds);
  assert.equal(b.tryStartRetry(), true);
  assert.equal(b.tryStartRetry(), false);
  b.finishRetry();
  assert.equal(b.tryStartRetry(), true);
  assert.equal(b.activeRequests, 0);
});

test('a request queues when its host uses every connection; max_pending_requests bounds the queue', (t) => {
  const b = new CircuitBreaker(thresholds);
  const [host] = makeHosts(t, [1]);
  host.activeRequests = 1;
  assert.equal(b.wouldQueue(host), false);
  host.activeRequests = 2;
  assert.equal(b.wouldQueue(host), true);
  assert.equal(b.tryStartPending(), true);
  assert.equal(b.tryStartPending(), false);
  b.finishPending();
  assert.equal(b.tryStartPending(), true);
});
