import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadChain } from '../../sdk/testing.js';
import cors from './filter.js';

const policy = {
  allow_origin_string_match: [{ exact: 'https://app.example.com' }, { suffix: '.trusted.dev' }],
  allow_methods: 'GET, POST, PUT',
  allow_headers: 'authorization, content-type',
  expose_headers: 'x-request-id',
  max_age: '600',
  allow_credentials: true,
  allow_private_network_access: true,
};
const load = (config: unknown = policy) => loadChain([{ factory: cors, config }]);
const preflight = (origin: string, extra: Record<string, string> = {}) => ({
  request: { method: 'OPTIONS', path: '/api', headers: { origin, 'access-control-request-method': 'POST', ...extra } },
});

test('a preflight from an allowed origin is answered here with 204', async () => {
  const chain = await load();
  const r = await chain.run(preflight('https://app.example.com', { 'access-control-request-private-network': 'true' }));
  assert.equal(r.upstreamCalled, false);
  assert.equal(r.response.status, 204);
  assert.equal(r.response.body, '');
  const h = r.response.headers;
  assert.equal(h['access-control-allow-origin'], 'https://app.example.com');
  assert.equal(h['access-control-allow-methods'], 'GET, POST, PUT');
  assert.equal(h['access-control-allow-headers'], 'authorization, content-type');
  assert.equal(h['access-control-max-age'], '600');
  assert.equal(h['access-control-allow-credentials'], 'true');
  assert.equal(h['access-control-allow-private-network'], 'true');
  assert.equal(h['vary'], 'origin');
  assert.equal(r.counters['cors.preflight_allowed'], 1);
});

test('a preflight from another origin goes on to the upstream and gets no CORS header', async () => {
  const chain = await load();
  for (const origin of ['https://evil.example.com', 'null', 'https://app.example.com.evil.io', 'x'.repeat(5000)]) {
    const r = await chain.run(preflight(origin));
    assert.equal(r.upstreamCalled, true, origin.slice(0, 40));
    assert.equal(r.response.headers['access-control-allow-origin'], undefined);
  }
  assert.equal(chain.counters()['cors.origin_invalid'], 4);
});

test('an actual request from an allowed origin gets the response headers', async () => {
  const chain = await load();
  const r = await chain.run({ request: { method: 'POST', headers: { origin: 'https://a.trusted.dev' } }, upstream: { headers: { vary: 'accept-encoding' } } });
  assert.equal(r.upstreamCalled, true);
  const h = r.response.headers;
  assert.equal(h['access-control-allow-origin'], 'https://a.trusted.dev');
  assert.equal(h['access-control-allow-credentials'], 'true');
  assert.equal(h['access-control-expose-headers'], 'x-request-id');
  assert.equal(h['access-control-allow-methods'], undefined, 'preflight-only header');
  assert.deepEqual(h['vary'], ['accept-encoding', 'origin']);
});

test('requests without an allowed origin are left alone', async () => {
  const chain = await load();
  const none = await chain.run();
  assert.equal(none.response.headers['access-control-allow-origin'], undefined);
  const other = await chain.run({ request: { headers: { origin: 'https://evil.example.com' } } });
  assert.equal(other.response.headers['access-control-allow-origin'], undefined);
  const plainOptions = await chain.run({ request: { method: 'OPTIONS', headers: { origin: 'https://app.example.com' } } });
  assert.equal(plainOptions.upstreamCalled, true, 'OPTIONS without access-control-request-method is not a preflight');
  assert.equal(plainOptions.response.headers['access-control-allow-origin'], 'https://app.example.com');
});

test('minimal policy: no optional header, private network not granted', async () => {
  const chain = await load({ allow_origin_string_match: [{ safe_regex: { regex: '^https://.*\\.example\\.org$' } }] });
  const r = await chain.run(preflight('https://x.example.org', { 'access-control-request-private-network': 'true' }));
  assert.equal(r.response.status, 204);
  assert.deepEqual(Object.keys(r.response.headers).filter((n) => n !== 'content-length').sort(), ['access-control-allow-origin', 'vary']);
});

test('bad configs are refused', async () => {
  await assert.rejects(load({}), /allow_origin_string_match: is required/);
  await assert.rejects(load({ allow_origin_string_match: [] }), /allow_origin_string_match: must NOT have fewer than 1 items/);
  await assert.rejects(load({ ...policy, max_age: '1h' }), /max_age: must match pattern/);
  await assert.rejects(load({ ...policy, allow_headers: 'a\r\nset-cookie: x' }), /allow_headers: must match pattern/);
});
