// fault behind a real listener: hostile fault headers when header faults are off, a per-route
// override, and a delayed request whose client goes away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { gatewayConfig, startGateway, startUpstream } from '../../gateway/harness.js';
import type { TestGateway } from '../../gateway/harness.js';

async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

async function withGateway(filterConfig: unknown, fn: (gw: TestGateway) => Promise<void>): Promise<void> {
  const upstream = await startUpstream('backend');
  const gw = await startGateway(
    gatewayConfig({
      routes: [
        { match: { prefix: '/teapot' }, route: { cluster: 'backend' }, typed_per_filter_config: { fault: { config: { abort: { http_status: 418 } } } } },
        { match: { prefix: '/' }, route: { cluster: 'backend' } },
      ],
      clusters: [{ name: 'backend', ports: [upstream.port] }],
      filters: [{ name: 'fault', config: filterConfig }],
    }),
  ).catch(async (err: unknown) => {
    await upstream.close();
    throw err;
  });
  try {
    await fn(gw);
  } finally {
    await gw.close();
    await upstream.close();
  }
}

test('fault headers from clients do nothing when header faults are off; a route may override the config', async () => {
  await withGateway({ abort: { http_status: 503 }, headers: [{ name: 'x-chaos', exact_match: 'on' }] }, async (gw) => {
    const started = Date.now();
    const r = await gw.get('/api', {
      'x-envoy-fault-abort-request': '500',
      'x-envoy-fault-abort-request-percentage': '100',
      'x-envoy-fault-delay-request': '60000',
      'x-envoy-fault-delay-request-percentage': '100',
    });
    assert.equal(r.status, 200);
    assert.ok(Date.now() - started < 5000);
    assert.equal((await gw.get('/api', { 'x-chaos': 'on' })).status, 503);
    const teapot = await gw.get('/teapot');
    assert.equal(teapot.status, 418);
    assert.equal(teapot.body, 'fault filter abort');
    const stats = gw.gateway.stats.values();
    assert.equal(stats['http.test.fault.aborts_injected'], 2);
  });
});

test('a delayed request whose client goes away frees its slot and its timer', async () => {
  await withGateway({ delay: { header_delay: {} }, max_active_faults: 10 }, async (gw) => {
    await gw.get('/warm-up');
    const active = () => gw.gateway.stats.values()['http.test.fault.active_faults'] ?? 0;
    const before = timers();
    const req = httpRequest(gw.origin + '/slow', { headers: { 'x-envoy-fault-delay-request': '3600000' }, agent: false });
    req.on('error', () => {}); // the socket is destroyed on purpose
    req.end();
    await until('the fault to start', () => active() === 1);
    assert.ok(timers() > before, 'the delay holds a timer');
    req.destroy();
    await until('the slot to be given back', () => active() === 0);
    await until('the delay timer to be cleared', () => timers() <= before);
    assert.equal(gw.gateway.stats.values()['http.test.fault.delays_injected'], 1);
  });
});
