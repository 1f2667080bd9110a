import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { gatewayConfig, startGateway, startUpstream } from '../../gateway/harness.js';
import type { TestGateway } from '../../gateway/harness.js';
import { wasmModule } from './build-fixture.js';
import { assertProxyWasmModule } from './module-shape.js';
import { wasmFilter } from './wasm-filter-config.js';

let file = '';
before(async () => {
  file = await wasmModule('rate_limit');
});

// Buckets live in the shared data of the vm_id for the whole process: each test uses its own plugin name.
async function withLimiter(name: string, configuration: unknown, run: (gw: TestGateway) => Promise<void>): Promise<void> {
  const upstream = await startUpstream('app');
  const gw = await startGateway(gatewayConfig({
    routes: [{ match: { prefix: '/' }, route: { cluster: 'app' } }],
    clusters: [{ name: 'app', ports: [upstream.port] }],
    filters: [wasmFilter(name, file, configuration, 'rate_limit')],
  }));
  try {
    await run(gw);
  } finally {
    await gw.close();
    await upstream.close();
  }
}

test('the module keeps its counters in shared data and refills them on a tick', async () => {
  const imports = await assertProxyWasmModule(file);
  for (const name of ['proxy_get_shared_data', 'proxy_set_shared_data', 'proxy_set_tick_period_milliseconds', 'proxy_define_metric']) {
    assert.ok(imports.includes(`env.${name}`), name);
  }
});

test('an empty bucket answers 429; another key has its own bucket', async () => {
  const configuration = { token_bucket: { max_tokens: 2, tokens_per_fill: 2, fill_interval: '1h' }, key_header: 'x-client' };
  await withLimiter('rl_empty', configuration, async (gw) => {
    assert.equal((await gw.get('/', { 'x-client': 'a' })).status, 200);
    assert.equal((await gw.get('/', { 'x-client': 'a' })).status, 200);
    const limited = await gw.get('/', { 'x-client': 'a' });
    assert.equal(limited.status, 429);
    assert.equal(limited.body, 'rate limited\n');
    assert.equal((await gw.get('/', { 'x-client': 'b' })).status, 200);
  });
});

test('the tick refills an empty bucket', async () => {
  const configuration = { token_bucket: { max_tokens: 1, tokens_per_fill: 1, fill_interval: '200ms' } };
  await withLimiter('rl_refill', configuration, async (gw) => {
    const deadline = Date.now() + 15_000;
    // Drain it (a tick may refill between two requests, so send until one is refused).
    let status = 200;
    while (status === 200 && Date.now() < deadline) status = (await gw.get('/')).status;
    assert.equal(status, 429);
    while (status === 429 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await gw.get('/')).status;
    }
    assert.equal(status, 200, 'a request passes again after a refill');
  });
});

test('a bad token bucket is refused, naming the field', async () => {
  const upstream = await startUpstream('app');
  const config = gatewayConfig({
    routes: [{ match: { prefix: '/' }, route: { cluster: 'app' } }],
    clusters: [{ name: 'app', ports: [upstream.port] }],
    filters: [wasmFilter('rl_bad', file, { token_bucket: { max_tokens: 0, fill_interval: '1s' } }, 'rate_limit')],
  });
  try {
    const gw = await startGateway(config).catch((err: Error) => err);
    if (gw instanceof Error) {
      assert.match(gw.message, /configure|rl_bad/, 'the refusal comes from the plugin, not from elsewhere in the config');
      return;
    }
    try {
      assert.equal((await gw.get('/')).status, 503);
    } finally {
      await gw.close();
    }
  } finally {
    await upstream.close();
  }
});
