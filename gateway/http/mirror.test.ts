// request_mirror_policies through a running gateway: the shadow gets a copy with a -shadow host,
// a hanging shadow never slows the primary, and the fraction is honoured.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gatewayConfig, startGateway, startUpstream } from '../harness.js';
import { shadowAuthority } from './mirror.js';

test('shadow authority keeps the port after the suffix', () => {
  assert.equal(shadowAuthority('api.example.com'), 'api.example.com-shadow');
  assert.equal(shadowAuthority('api:8080'), 'api-shadow:8080');
  assert.equal(shadowAuthority('[::1]:8080'), '[::1]-shadow:8080');
});

test('every request is mirrored with its body, and a hanging shadow does not slow the primary', { timeout: 20_000 }, async (t) => {
  const primary = await startUpstream('primary');
  const shadow = await startUpstream('shadow', () => {
    /* never answers */
  });
  const gw = await startGateway(
    gatewayConfig({
      routes: [
        {
          match: { prefix: '/' },
          route: { cluster: 'primary', timeout: '2s', request_mirror_policies: [{ cluster: 'shadow' }] },
        },
      ],
      clusters: [
        { name: 'primary', ports: [primary.port] },
        { name: 'shadow', ports: [shadow.port] },
      ],
    }),
  );
  t.after(async () => {
    await gw.close();
    await primary.close();
    await shadow.close();
  });
  const started = Date.now();
  for (let i = 0; i < 5; i++) {
    const r = await gw.send('POST', `/m${i}`, `payload-${i}`, { host: 'api.local' });
    assert.equal(r.status, 200);
    assert.equal(r.body, 'primary');
  }
  assert.ok(Date.now() - started < 1500, 'the primary never waited for the shadow');
  const deadline = Date.now() + 5000;
  while (shadow.seen.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(shadow.seen.length, 5);
  assert.deepEqual(shadow.seen.map((s) => s.body).sort(), ['payload-0', 'payload-1', 'payload-2', 'payload-3', 'payload-4']);
  assert.equal(shadow.seen[0]!.headers.host, 'api.local-shadow');
  assert.equal(primary.seen[0]!.headers.host, 'api.local');
});

test('a mirror fraction samples about that share of requests', { timeout: 30_000 }, async (t) => {
  const primary = await startUpstream('primary');
  const shadow = await startUpstream('shadow');
  const gw = await startGateway(
    gatewayConfig({
      routes: [
        {
          match: { prefix: '/' },
          route: {
            cluster: 'primary',
            request_mirror_policies: [{ cluster: 'shadow', runtime_fraction: { default_value: { numerator: 20, denominator: 'HUNDRED' } } }],
          },
        },
      ],
      clusters: [
        { name: 'primary', ports: [primary.port] },
        { name: 'shadow', ports: [shadow.port] },
      ],
    }),
  );
  t.after(async () => {
    await gw.close();
    await primary.close();
    await shadow.close();
  });
  for (let i = 0; i < 1000; i += 50) await Promise.all(Array.from({ length: 50 }, () => gw.get('/')));
  const sent = gw.gateway.stats.values()['http.test.rq_mirror_sent']!;
  assert.ok(sent > 150 && sent < 250, `mirrored ${sent} of 1000`);
  const deadline = Date.now() + 5000;
  while (shadow.seen.length < sent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(shadow.seen.length, sent);
});
