// local_ratelimit behind a real listener: exact under a burst of concurrent connections, hostile
// descriptor values, per-route override.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gatewayConfig, nodeRequest, startGateway, startUpstream } from '../../gateway/harness.js';

const routes = [
  { match: { prefix: '/open' }, route: { cluster: 'backend' }, typed_per_filter_config: { local_ratelimit: { disabled: true } } },
  { match: { prefix: '/' }, route: { cluster: 'backend' } },
];

test('a burst of 200 requests on 200 connections against 25 tokens admits exactly 25', async () => {
  const upstream = await startUpstream('backend');
  const gw = await startGateway(
    gatewayConfig({
      routes,
      clusters: [{ name: 'backend', ports: [upstream.port] }],
      filters: [{ name: 'local_ratelimit', config: { token_bucket: { max_tokens: 25, fill_interval: '1h' } } }],
    }),
  ).catch(async (err: unknown) => {
    await upstream.close();
    throw err;
  });
  try {
    // One connection per request (agent: false), all started at once.
    const results = await Promise.all(Array.from({ length: 200 }, () => nodeRequest(gw.origin, '/api', {})));
    const ok = results.filter((r) => r.status === 200).length;
    const limited = results.filter((r) => r.status === 429);
    assert.equal(ok, 25);
    assert.equal(limited.length, 175);
    assert.equal(limited[0]!.body, 'local_rate_limited');
    assert.equal(upstream.seen.length, 25);
    const stats = gw.gateway.stats.values();
    assert.equal(stats['http.test.local_ratelimit.http_local_rate_limit.ok'], 25);
    assert.equal(stats['http.test.local_ratelimit.http_local_rate_limit.rate_limited'], 175);
    // A route that disables the filter is not limited.
    assert.equal((await gw.get('/open')).status, 200);
  } finally {
    await gw.close();
    await upstream.close();
  }
});

test('a flood of distinct and oversized descriptor values is bounded and served', async () => {
  const upstream = await startUpstream('backend');
  const gw = await startGateway(
    gatewayConfig({
      routes,
      clusters: [{ name: 'backend', ports: [upstream.port] }],
      filters: [
        {
          name: 'local_ratelimit',
          config: {
            token_bucket: { max_tokens: 100_000, fill_interval: '1h' },
            descriptors: [{ request_header: { header_name: 'x-user' }, token_bucket: { max_tokens: 1, fill_interval: '1h' } }],
            max_dynamic_descriptors: 50,
          },
        },
      ],
    }),
  ).catch(async (err: unknown) => {
    await upstream.close();
    throw err;
  });
  try {
    for (let batch = 0; batch < 10; batch++) {
      const rs = await Promise.all(Array.from({ length: 50 }, (_, i) => gw.get('/api', { 'x-user': `u${batch}-${i}` })));
      assert.ok(rs.every((r) => r.status === 200), 'each new value gets a full bucket');
    }
    const huge = 'h'.repeat(8000);
    assert.equal((await gw.get('/api', { 'x-user': huge })).status, 200);
    assert.equal((await gw.get('/api', { 'x-user': huge })).status, 429, 'an 8 KB value still has its bucket');
    assert.equal((await gw.get('/api', { 'x-user': 'h'.repeat(7999) + 'i' })).status, 200, 'a near-twin is another bucket');
  } finally {
    await gw.close();
    await upstream.close();
  }
});

test('a bad config is refused with the path of the field', async () => {
  await assert.rejects(
    startGateway(
      gatewayConfig({
        routes,
        clusters: [{ name: 'backend', ports: [1] }],
        filters: [{ name: 'local_ratelimit', config: { token_bucket: { max_tokens: 5, fill_interval: 'often' } } }],
      }),
    ),
    /http_filters\[0\]\.config\.token_bucket\.fill_interval: must be a duration/,
  );
});
