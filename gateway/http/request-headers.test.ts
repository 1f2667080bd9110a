import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addForwardedHeaders, clientAddress, ensureRequestId, forwardedHeaders, normalizeAddress, stripHopByHop } from './request-headers.js';

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

test('headers built from a raw list leave out hop-by-hop ones and those Connection names, and keep repeats', () => {
  const raw = (...pairs: string[]): Buffer[] => pairs.map((p) => Buffer.from(p, 'latin1'));
  const h = forwardedHeaders(
    raw('Content-Type', 'text/plain', 'Connection', 'keep-alive', 'Keep-Alive', 'timeout=5', 'Set-Cookie', 'a=1', 'set-cookie', 'b=2', 'Transfer-Encoding', 'chunked', 'X-Custom', 'é'),
  );
  assert.deepEqual({ ...h }, { 'content-type': 'text/plain', 'set-cookie': ['a=1', 'b=2'], 'x-custom': Buffer.from('é', 'latin1').toString('latin1') });
  const named = forwardedHeaders(raw('connection', 'x-hop, close', 'x-hop', '1', 'x-end', '2'));
  assert.deepEqual({ ...named }, { 'x-end': '2' });
  const proto = forwardedHeaders(raw('__proto__', 'x', 'constructor', 'y'));
  assert.equal(Object.getPrototypeOf(proto), Object.prototype);
  assert.equal(proto['constructor'], 'y');
  // What an adapter gives for HTTP/2 (strings, a repeated header as a list) reads the same.
  assert.deepEqual({ ...forwardedHeaders(['x-a', ['1', '2'], 'te', 'trailers']) }, { 'x-a': ['1', '2'] });
});
