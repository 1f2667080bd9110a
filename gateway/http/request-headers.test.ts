import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addForwardedHeaders, clientAddress, ensureRequestId, normalizeAddress, stripHopByHop } from './request-headers.js';

test('a valid incoming x-request-id is kept, an invalid one replaced', () => {
  const kept = { 'x-request-id': 'abc-123' };
  assert.equal(ensureRequestId(kept, true, true), 'abc-123');
  const bad = { 'x-request-id': 'abc 123\r\nx: y' };
  const id = ensureRequestId(bad, true, true);
  assert.match(id, /^[0-9a-f-]{36}$/);
  assert.equal(bad['x-request-id'], id);
  const notPreserved = { 'x-request-id': 'abc-123' };
  assert.notEqual(ensureRequestId(notPreserved, false, true), 'abc-123');
});

test('x-forwarded-for is appended, x-forwarded-proto set', () => {
  const h: Record<string, string> = { 'x-forwarded-for': '1.2.3.4', 'x-forwarded-proto': 'https' };
  addForwardedHeaders(h, '127.0.0.1', 'http');
  assert.equal(h['x-forwarded-for'], '1.2.3.4, 127.0.0.1');
  assert.equal(h['x-forwarded-proto'], 'http');
  const empty: Record<string, string> = {};
  addForwardedHeaders(empty, '::1', 'http');
  assert.equal(empty['x-forwarded-for'], '::1');
});

test('client address honours trusted hops', () => {
  const h = { 'x-forwarded-for': '9.9.9.9, 10.0.0.1' };
  assert.equal(clientAddress(h, '127.0.0.1', 0), '127.0.0.1');
  assert.equal(clientAddress(h, '127.0.0.1', 1), '10.0.0.1');
  assert.equal(clientAddress(h, '127.0.0.1', 2), '9.9.9.9');
  assert.equal(clientAddress(h, '127.0.0.1', 3), '127.0.0.1');
  assert.equal(normalizeAddress('::ffff:127.0.0.1'), '127.0.0.1');
  assert.equal(normalizeAddress('::1'), '::1');
});

test('hop-by-hop headers and those named by Connection are removed', () => {
  const h: Record<string, string> = {
    connection: 'keep-alive, x-secret, te',
    'keep-alive': 'timeout=5',
    'x-secret': 's',
    'transfer-encoding': 'chunked',
    te: 'trailers',
    upgrade: 'h2c',
    host: 'a',
  };
  stripHopByHop(h);
  assert.deepEqual(h, { host: 'a' });
});
