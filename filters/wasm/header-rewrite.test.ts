import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { gatewayConfig, startGateway, startUpstream } from '../../gateway/harness.js';
import { wasmModule } from './build-fixture.js';
import { assertProxyWasmModule } from './module-shape.js';
import { wasmFilter } from './wasm-filter-config.js';

let file = '';
before(async () => {
  file = await wasmModule('header_rewrite');
});

const CONFIG = {
  request_headers_to_add: [
    { header: { key: 'x-added', value: 'yes' } },
    { header: { key: 'x-over', value: 'new' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
    { header: { key: 'x-keep', value: 'ignored' }, append_action: 'ADD_IF_ABSENT' },
    { header: { key: 'x-only-if', value: 'ignored' }, append_action: 'OVERWRITE_IF_EXISTS' },
  ],
  request_headers_to_remove: ['x-drop'],
  response_headers_to_add: [{ header: { key: 'x-resp', value: 'wasm' } }],
  response_headers_to_remove: ['x-upstream'],
};

test('the module exports the ABI and imports only proxy-wasm host functions', async () => {
  const imports = await assertProxyWasmModule(file);
  assert.ok(imports.includes('env.proxy_add_header_map_value'));
  assert.ok(imports.includes('env.proxy_remove_header_map_value'));
});

test('request and response headers are added, set and removed as configured', async () => {
  const upstream = await startUpstream('app');
  const gw = await startGateway(gatewayConfig({
    routes: [{ match: { prefix: '/' }, route: { cluster: 'app' } }],
    clusters: [{ name: 'app', ports: [upstream.port] }],
    filters: [wasmFilter('header_rewrite', file, CONFIG)],
  }));
  try {
    const r = await gw.get('/x', { 'x-drop': 'a', 'x-over': 'old', 'x-keep': 'mine' });
    assert.equal(r.status, 200);
    assert.equal(r.body, 'app');
    const seen = upstream.seen[0]!.headers;
    assert.equal(seen['x-added'], 'yes');
    assert.equal(seen['x-over'], 'new');
    assert.equal(seen['x-keep'], 'mine');
    assert.equal(seen['x-only-if'], undefined);
    assert.equal(seen['x-drop'], undefined);
    assert.equal(r.headers['x-resp'], 'wasm');
    assert.equal(r.headers['x-upstream'], undefined);
  } finally {
    await gw.close();
    await upstream.close();
  }
});

test('a configuration that breaks a rule is refused, naming the field', async () => {
  const upstream = await startUpstream('app');
  const config = gatewayConfig({
    routes: [{ match: { prefix: '/' }, route: { cluster: 'app' } }],
    clusters: [{ name: 'app', ports: [upstream.port] }],
    filters: [wasmFilter('header_rewrite_bad', file, { request_headers_to_add: [{ header: { key: ':path', value: '/' } }] })],
  });
  try {
    // The host either rejects the config at load or fails every stream of the plugin with 503.
    const gw = await startGateway(config).catch((err: Error) => err);
    if (gw instanceof Error) {
      assert.match(gw.message, /configure|header_rewrite_bad/, 'the refusal comes from the plugin, not from elsewhere in the config');
      return;
    }
    try {
      const r = await gw.get('/x');
      assert.equal(r.status, 503);
      assert.equal(upstream.seen.length, 0);
    } finally {
      await gw.close();
    }
  } finally {
    await upstream.close();
  }
});
