import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFilter } from '../../sdk/testing.js';
import apiKey from './api-key-filter.js';

const config = { keys: ['alpha', 'bravo'] };

test('a known key passes; its index is in ctx.state and it is counted', async () => {
  const r = await runFilter(apiKey, config, { request: { headers: { 'x-api-key': 'bravo' } } });
  assert.equal(r.upstreamCalled, true);
  assert.equal(r.response.status, 200);
  assert.equal(r.state.get('api_key.key_index'), 1);
  assert.deepEqual(r.counters, { 'api_key.allowed': 1, 'api_key.denied': 0 });
});

test('a missing key gets 401 with a challenge, and the upstream is not called', async () => {
  const r = await runFilter(apiKey, config, { request: { path: '/private' } });
  assert.equal(r.upstreamCalled, false);
  assert.equal(r.response.status, 401);
  assert.equal(r.response.headers['www-authenticate'], 'ApiKey header="x-api-key"');
  assert.equal(r.responseCodeDetails, 'api_key_missing');
  assert.equal(r.counters['api_key.denied'], 1);
});

test('an unknown key gets 401', async () => {
  const r = await runFilter(apiKey, config, { request: { headers: { 'x-api-key': 'charlie' } } });
  assert.equal(r.response.status, 401);
  assert.equal(r.responseCodeDetails, 'api_key_unknown');
});

test('the header is forwarded by default and removed with strip', async () => {
  const request = { headers: { 'x-api-key': 'alpha', accept: 'text/plain' } };
  const kept = await runFilter(apiKey, config, { request });
  assert.equal(kept.upstreamRequest?.headers['x-api-key'], 'alpha');
  const stripped = await runFilter(apiKey, { ...config, strip: true }, { request });
  assert.deepEqual(stripped.upstreamRequest?.headers, { accept: 'text/plain' });
});

test('another header can carry the key; its name is case-insensitive', async () => {
  const r = await runFilter(apiKey, { ...config, header: 'X-Token' }, { request: { headers: { 'x-token': 'alpha' } } });
  assert.equal(r.response.status, 200);
  const missing = await runFilter(apiKey, { ...config, header: 'X-Token' }, { request: { headers: { 'x-api-key': 'alpha' } } });
  assert.equal(missing.response.headers['www-authenticate'], 'ApiKey header="x-token"');
});

test('a config without keys is rejected', async () => {
  await assert.rejects(runFilter(apiKey, { keys: [] }), /api_key\.config\.keys: /);
  await assert.rejects(runFilter(apiKey, { header: 'x' }), /api_key\.config\.keys: is required/);
});
