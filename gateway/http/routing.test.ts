// Routing through a running gateway: canary weights, header rules, rewrites, redirects, direct responses,
// forwarded headers. Real upstreams on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gatewayConfig, nodeRequest, startGateway, startUpstream } from '../harness.js';

test('90/10 weighted split within a few percent, and a header rule that always picks v2', { timeout: 60_000 }, async (t) => {
  const v1 = await startUpstream('v1');
  const v2 = await startUpstream('v2');
  const gw = await startGateway(
    gatewayConfig({
      routes: [
        { match: { prefix: '/api', headers: [{ name: 'x-canary', exact_match: 'always' }] }, route: { cluster: 'v2' } },
        { match: { prefix: '/api' }, route: { weighted_clusters: { clusters: [{ name: 'v1', weight: 90 }, { name: 'v2', weight: 10 }] } } },
      ],
      clusters: [
        { name: 'v1', ports: [v1.port] },
        { name: 'v2', ports: [v2.port] },
      ],
    }),
  );
  t.after(async () => {
    await gw.close();
    await v1.close();
    await v2.close();
  });

  const n = 3000;
  const counts = { v1: 0, v2: 0 } as Record<string, number>;
  for (let i = 0; i < n; i += 50) {
    const batch = await Promise.all(Array.from({ length: 50 }, () => gw.get('/api/x')));
    for (const r of batch) counts[r.body] = (counts[r.body] ?? 0) + 1;
  }
  assert.equal(counts.v1! + counts.v2!, n);
  const share = counts.v2! / n;
  assert.ok(share > 0.07 && share < 0.13, `v2 share ${share}`);

  for (let i = 0; i < 20; i++) {
    const r = await gw.get('/api/x', { 'x-canary': 'always' });
    assert.equal(r.body, 'v2');
  }
});

test('prefix and regex rewrites, host rewrite, query kept', { timeout: 20_000 }, async (t) => {
  const up = await startUpstream('up');
  const gw = await startGateway(
    gatewayConfig({
      routes: [
        { match: { prefix: '/old/' }, route: { cluster: 'up', prefix_rewrite: '/new/', host_rewrite_literal: 'backend.internal' } },
        {
          match: { safe_regex: { regex: '/users/([0-9]+)/profile' } },
          route: { cluster: 'up', regex_rewrite: { pattern: { regex: '^/users/([0-9]+)/profile$' }, substitution: '/profiles/\\1' } },
        },
      ],
      clusters: [{ name: 'up', ports: [up.port] }],
    }),
  );
  t.after(async () => {
    await gw.close();
    await up.close();
  });
  assert.equal((await gw.get('/old/thing?a=1')).status, 200);
  assert.equal(up.seen[0]!.url, '/new/thing?a=1');
  assert.equal(up.seen[0]!.headers.host, 'backend.internal');
  assert.equal((await gw.get('/users/42/profile?x=y')).status, 200);
  assert.equal(up.seen[1]!.url, '/profiles/42?x=y');
});

test('no route is 404, direct responses and redirects are answered by the gateway', { timeout: 20_000 }, async (t) => {
  const up = await startUpstream('up');
  const gw = await startGateway(
    gatewayConfig({
      routes: [
        { match: { path: '/healthz' }, direct_response: { status: 200, body: { inline_string: 'ok' } } },
        { match: { prefix: '/old' }, redirect: { https_redirect: true, host_redirect: 'example.com', response_code: 'PERMANENT_REDIRECT' } },
        { match: { prefix: '/api', methods: ['GET'] }, route: { cluster: 'up' } },
      ],
      clusters: [{ name: 'up', ports: [up.port] }],
    }),
  );
  t.after(async () => {
    await gw.close();
    await up.close();
  });
  const health = await gw.get('/healthz');
  assert.deepEqual([health.status, health.body], [200, 'ok']);
  const redirect = await gw.get('/old/page?q=1');
  assert.equal(redirect.status, 308);
  assert.equal(redirect.headers.location, 'https://example.com/old/page?q=1');
  assert.equal((await gw.get('/nothing')).status, 404);
  assert.equal((await gw.send('DELETE', '/api/x')).status, 404);
  assert.equal(up.seen.length, 0);
});

test('x-request-id kept or made, x-forwarded-for appended, hop-by-hop headers stripped', { timeout: 20_000 }, async (t) => {
  const up = await startUpstream('up', (_req, res) => {
    res.writeHead(200, { connection: 'keep-alive', 'keep-alive': 'timeout=5', 'x-from': 'up' });
    res.end('ok');
  });
  const gw = await startGateway(
    gatewayConfig({ routes: [{ match: { prefix: '/' }, route: { cluster: 'up' } }], clusters: [{ name: 'up', ports: [up.port] }] }),
  );
  t.after(async () => {
    await gw.close();
    await up.close();
  });
  const r1 = await nodeRequest(gw.origin, '/a', { 'x-request-id': 'client-id-1', 'x-forwarded-for': '203.0.113.9', 'x-private': 'p', connection: 'x-private' });
  assert.equal(r1.status, 200);
  assert.equal(r1.headers['x-from'], 'up');
  assert.notEqual(r1.headers['keep-alive'], 'timeout=5', "the upstream's keep-alive is its own hop's");
  const seen1 = up.seen[0]!.headers;
  assert.equal(seen1['x-request-id'], 'client-id-1');
  assert.equal(seen1['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
  assert.equal(seen1['x-forwarded-proto'], 'http');
  assert.equal(seen1['x-private'], undefined);
  await gw.get('/b', { 'x-request-id': 'bad id with spaces' });
  assert.match(String(up.seen[1]!.headers['x-request-id']), /^[0-9a-f-]{36}$/);
});

test('ring_hash with a header hash_policy keeps each user on one upstream; strict_dns resolves localhost', { timeout: 30_000 }, async (t) => {
  const ups = await Promise.all(['a', 'b', 'c'].map((n) => startUpstream(n)));
  const gw = await startGateway(
    gatewayConfig({
      routes: [
        { match: { prefix: '/dns' }, route: { cluster: 'by-name' } },
        { match: { prefix: '/' }, route: { cluster: 'ring', hash_policy: [{ header: { header_name: 'x-user' } }] } },
      ],
      clusters: [
        { name: 'ring', ports: ups.map((u) => u.port), lb_policy: 'ring_hash' },
        { name: 'by-name', ports: [], type: 'STRICT_DNS', endpoints: [{ address: 'localhost', port: ups[0]!.port }] },
      ],
    }),
  );
  t.after(async () => {
    await gw.close();
    for (const u of ups) await u.close();
  });
  const owners = new Map<string, Set<string>>();
  for (let round = 0; round < 5; round++) {
    for (let user = 0; user < 30; user++) {
      const r = await gw.get('/x', { 'x-user': `user-${user}` });
      const set = owners.get(`user-${user}`) ?? new Set<string>();
      set.add(r.body);
      owners.set(`user-${user}`, set);
    }
  }
  for (const [user, set] of owners) assert.equal(set.size, 1, `${user} went to ${[...set].join(', ')}`);
  const used = new Set([...owners.values()].map((s) => [...s][0]));
  assert.ok(used.size >= 2, 'users spread over the ring');
  const viaDns = await gw.get('/dns');
  assert.deepEqual([viaDns.status, viaDns.body], [200, 'a']);
});
