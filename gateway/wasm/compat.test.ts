// Modules built by another SDK: the public examples of @solo-io/proxy-runtime@0.1.8, built with the
// AssemblyScript it needs (0.14.9) in the test run, behave in the gateway as the SDK's docs say.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gatewayConfig, startGateway, startUpstream } from '../harness.js';
import { compatModule } from './module-fixtures.js';

const BUILD = { timeout: 240_000 };

async function gatewayWith(t: { after(fn: () => Promise<void>): void }, filter: unknown) {
  const up = await startUpstream('up');
  t.after(() => up.close());
  const gw = await startGateway(gatewayConfig({ routes: [{ match: { prefix: '/' }, route: { cluster: 'up' } }], clusters: [{ name: 'up', ports: [up.port] }], filters: [filter] }));
  t.after(() => gw.close());
  return { gw, up };
}

// The SDK picks its root context by the plugin_root_id property, so root_id must be the name the
// example registered. Its onConfigure misuses the configuration size as a pointer (see docs/wasm.md):
// an empty configuration traps, so every config below has one, as its README's does.
function entry(name: string, filename: string, configuration: string, vmId: string): unknown {
  return {
    name,
    type: 'wasm',
    config: { name, root_id: name, configuration, vm_config: { vm_id: vmId, runtime: 'envoy.wasm.runtime.v8', code: { local: { filename } } } },
  };
}

test('proxy-runtime add_header (its README example) adds hello: <configuration> to responses', BUILD, async (t) => {
  const file = await compatModule('add_header');
  const { gw } = await gatewayWith(t, entry('add_header', file, 'what ever you want', 'compat_add'));
  for (let i = 0; i < 3; i++) {
    const r = await gw.get('/');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'up');
    assert.equal(r.headers['hello'], 'what ever you want');
  }
});

test('proxy-runtime deny_header answers 403 when the configured header is present, passes otherwise', BUILD, async (t) => {
  const file = await compatModule('deny_header');
  const { gw, up } = await gatewayWith(t, entry('deny_header', file, 'x-block', 'compat_deny'));
  const denied = await gw.get('/', { 'x-block': 'yes' });
  assert.equal(denied.status, 403);
  assert.equal(denied.body, 'forbidden\n');
  assert.equal(denied.headers['content-type'], 'text/plain');
  assert.equal(up.seen.length, 0);
  const passed = await gw.get('/', { 'x-other': 'yes' });
  assert.equal(passed.status, 200);
  assert.equal(up.seen.length, 1);
});

test('a proxy-runtime module whose root_id names no registered root context fails to load', BUILD, async (t) => {
  const file = await compatModule('add_header');
  const up = await startUpstream('up');
  t.after(() => up.close());
  const config = gatewayConfig({
    routes: [{ match: { prefix: '/' }, route: { cluster: 'up' } }],
    clusters: [{ name: 'up', ports: [up.port] }],
    filters: [{ name: 'wrong', type: 'wasm', config: { root_id: 'not_registered', configuration: 'x', vm_config: { vm_id: 'compat_wrong', code: { local: { filename: file } } } } }],
  });
  // The SDK throws "Missing root context factory", which its abort turns into proc_exit: a trap at start.
  await assert.rejects(startGateway(config), /failed to start: wasm VM failed: the module called proc_exit/);
});
