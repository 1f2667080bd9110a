import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { gatewayConfig, startGateway, startUpstream } from '../../gateway/harness.js';
import type { TestGateway, Upstream } from '../../gateway/harness.js';
import { wasmModule } from './build-fixture.js';
import { assertProxyWasmModule } from './module-shape.js';
import { wasmFilter } from './wasm-filter-config.js';

let file = '';
before(async () => {
  file = await wasmModule('acl');
});

async function withAcl(name: string, configuration: unknown, run: (gw: TestGateway, upstream: Upstream) => Promise<void>): Promise<void> {
  const upstream = await startUpstream('app');
  const gw = await startGateway(gatewayConfig({
    routes: [{ match: { prefix: '/' }, route: { cluster: 'app' } }],
    clusters: [{ name: 'app', ports: [upstream.port] }],
    filters: [wasmFilter(name, file, configuration)],
  }));
  try {
    await run(gw, upstream);
  } finally {
    await gw.close();
    await upstream.close();
  }
}

test('the module exports the ABI and replies locally through the host', async () => {
  const imports = await assertProxyWasmModule(file);
  assert.ok(imports.includes('env.proxy_send_local_response'));
  assert.ok(imports.includes('env.proxy_get_header_map_value'));
});

test('deny mode: a path prefix, an exact path with a header, or a header value is denied with 403', async () => {
  const configuration = {
    mode: 'deny',
    rules: [
      { path: { prefix: '/admin' } },
      { header: { name: 'X-User', exact: 'mallory' } },
      { path: { exact: '/debug' }, header: { name: 'x-debug', present: true } },
    ],
  };
  await withAcl('acl_deny', configuration, async (gw, upstream) => {
    const denied = await gw.get('/admin/users?x=1');
    assert.equal(denied.status, 403);
    assert.equal(denied.body, 'access denied\n');
    assert.equal(denied.headers['content-type'], 'text/plain');
    assert.equal((await gw.get('/public', { 'x-user': 'mallory' })).status, 403);
    assert.equal((await gw.get('/debug', { 'x-debug': '1' })).status, 403);
    assert.equal(upstream.seen.length, 0, 'denied requests never reach the upstream');
    assert.equal((await gw.get('/debug')).status, 200);
    assert.equal((await gw.get('/public?admin', { 'x-user': 'bob' })).status, 200);
    assert.deepEqual(upstream.seen.map((s) => s.url), ['/debug', '/public?admin']);
  });
});

test('allow mode: only matching requests pass, others get the configured reply', async () => {
  const configuration = {
    mode: 'allow',
    rules: [{ path: { prefix: '/public/' } }, { header: { name: 'x-api-key', prefix: 'k-' } }],
    deny_response: { status: 401, body: 'no entry\n' },
  };
  await withAcl('acl_allow', configuration, async (gw, upstream) => {
    assert.equal((await gw.get('/public/a')).status, 200);
    assert.equal((await gw.get('/private', { 'x-api-key': 'k-123' })).status, 200);
    const denied = await gw.get('/private', { 'x-api-key': 'other' });
    assert.equal(denied.status, 401);
    assert.equal(denied.body, 'no entry\n');
    assert.equal(upstream.seen.length, 2);
  });
});
