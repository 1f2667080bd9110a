// The `wasm` filter in a running gateway, with modules built in the test run (module-fixtures.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deadPort, gatewayConfig, startGateway, startUpstream } from '../harness.js';
import type { TestGateway } from '../harness.js';
import { testModule } from './module-fixtures.js';

const BUILD = { timeout: 240_000 };

function wasmEntry(name: string, filename: string, extra: Record<string, unknown> = {}, vmExtra: Record<string, unknown> = {}): unknown {
  return {
    name,
    type: 'wasm',
    config: { name, root_id: `${name}_root`, vm_config: { vm_id: `${name}_vm`, code: { local: { filename } }, ...vmExtra }, ...extra },
  };
}

async function withGateway(
  t: { after(fn: () => Promise<void>): void },
  filters: unknown[],
  extraClusters: { name: string; ports: number[] }[] = [],
): Promise<{ gw: TestGateway; seen: import('../harness.js').SeenRequest[] }> {
  const up = await startUpstream('up');
  t.after(() => up.close());
  const gw = await startGateway(
    gatewayConfig({ routes: [{ match: { prefix: '/' }, route: { cluster: 'up' } }], clusters: [{ name: 'up', ports: [up.port] }, ...extraClusters], filters }),
  );
  t.after(() => gw.close());
  return { gw, seen: up.seen };
}

/** Polls `probe` until it returns a value (not undefined) or the deadline passes. */
async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('headers, pseudo-headers, properties and configuration reach the module', BUILD, async (t) => {
  const file = await testModule('headers');
  const { gw, seen } = await withGateway(t, [wasmEntry('hdr', file, { configuration: 'cfg-1', deliver_body: 'none' })]);
  const r = await gw.get('/a/b?q=1', { 'x-remove-me': '1', 'x-set-path': '/rewritten?x=2', 'x-set-status': '202' });
  assert.equal(r.status, 202);
  assert.equal(r.headers['x-wasm-config'], 'cfg-1');
  assert.equal(r.headers['x-wasm-status'], '200');
  assert.equal(r.headers['x-wasm-plugin'], 'hdr');
  assert.equal(r.headers['x-wasm-root-id'], 'hdr_root');
  assert.equal(r.headers['x-wasm-vm-id'], 'hdr_vm');
  assert.equal(r.headers['x-wasm-request-path'], '/rewritten?x=2');
  assert.equal(r.headers['x-wasm-source-port-ok'], 'yes');
  const up = seen[0]!;
  assert.equal(up.url, '/rewritten?x=2');
  assert.equal(up.headers['x-wasm-method'], 'GET');
  assert.equal(up.headers['x-wasm-eos'], '1');
  assert.equal(up.headers['x-remove-me'], undefined);
  const [pairs, n] = String(up.headers['x-wasm-pairs']).split('/');
  assert.equal(Number(pairs), Number(n) + 1, 'the pairs, read after the module added x-wasm-method, count one more');
  assert.ok(Number(n) >= 6, 'four pseudo-headers and the request headers');
});

test('a local reply from on_request_headers answers without the upstream', BUILD, async (t) => {
  const file = await testModule('headers');
  const { gw, seen } = await withGateway(t, [wasmEntry('deny', file, { configuration: 'x', deliver_body: 'none' })]);
  const r = await gw.get('/', { 'x-deny': '1' });
  assert.equal(r.status, 403);
  assert.equal(r.body, 'denied by wasm\n');
  assert.equal(r.headers['x-denied-by'], 'wasm');
  assert.equal(seen.length, 0);
});

test('bodies are delivered whole and can be replaced', BUILD, async (t) => {
  const file = await testModule('headers');
  const { gw, seen } = await withGateway(t, [wasmEntry('body', file, { configuration: 'x' })]);
  const r = await gw.send('POST', '/p', 'abc', { 'content-type': 'text/plain' });
  assert.equal(r.status, 200);
  assert.equal(seen[0]!.body, 'wasm(abc)');
  assert.equal(seen[0]!.headers['x-wasm-eos'], '0');
  assert.equal(r.body, 'up+wasm');
  assert.equal(r.headers['content-length'], String('up+wasm'.length));
});

test('deliver_body none leaves bodies alone', BUILD, async (t) => {
  const file = await testModule('headers');
  const { gw, seen } = await withGateway(t, [wasmEntry('nobody', file, { configuration: 'x', deliver_body: 'none' })]);
  const r = await gw.send('POST', '/p', 'abc');
  assert.equal(seen[0]!.body, 'abc');
  assert.equal(r.body, 'up');
});

test('configuration: an object is passed as JSON, an Envoy StringValue by its value', BUILD, async (t) => {
  const file = await testModule('headers');
  const { gw } = await withGateway(t, [
    wasmEntry('json', file, { configuration: { a: 1 }, deliver_body: 'none' }),
    wasmEntry('any', file, { configuration: { '@type': 'type.googleapis.com/google.protobuf.StringValue', value: 'raw' }, deliver_body: 'none' }),
  ]);
  const r = await gw.get('/');
  assert.deepEqual(r.headers['x-wasm-config'], ['raw', '{"a":1}']);
});

test('a trap answers 503 wasm_fail_stream, counts, and the VM is rebuilt on a later request', BUILD, async (t) => {
  const file = await testModule('failures');
  const { gw } = await withGateway(t, [wasmEntry('trap', file, { configuration: 'ok', deliver_body: 'none' })]);
  assert.equal((await gw.get('/')).headers['x-count'], '1');
  assert.equal((await gw.get('/')).headers['x-count'], '2');
  const failed = await gw.get('/', { 'x-trap': '1' });
  assert.equal(failed.status, 503);
  const stats = gw.gateway.stats.values();
  assert.equal(stats['wasm.trap.vm_failed'], 1);
  assert.equal(stats['wasm.trap.stream_failed'], 1);
  // After the back-off the next request rebuilds the VM: a fresh instance counts from 1 again.
  const r = await eventually(async () => {
    const x = await gw.get('/');
    return x.status === 200 ? x : undefined;
  }, 'the VM to be rebuilt');
  assert.equal(r.headers['x-count'], '1');
  assert.equal(gw.gateway.stats.values()['wasm.trap.vm_reloaded'], 1);
});

test('fail_open: a trap lets the request through without the filter', BUILD, async (t) => {
  const file = await testModule('failures');
  const { gw, seen } = await withGateway(t, [wasmEntry('open', file, { configuration: 'ok', deliver_body: 'none', fail_open: true })]);
  const r = await gw.get('/', { 'x-trap-response': '1' });
  assert.equal(r.status, 200);
  assert.equal(r.body, 'up');
  assert.equal(r.headers['x-count'], undefined);
  assert.equal(seen.length, 1);
  assert.equal(gw.gateway.stats.values()['wasm.open.vm_failed'], 1);
});

test('failure_policy FAIL_OPEN is accepted as fail_open', BUILD, async (t) => {
  const file = await testModule('failures');
  const { gw } = await withGateway(t, [wasmEntry('policy', file, { configuration: 'ok', deliver_body: 'none', failure_policy: 'FAIL_OPEN' })]);
  assert.equal((await gw.get('/', { 'x-trap': '1' })).status, 200);
});

test('memory over vm_config.memory_limit fails the VM like a trap', BUILD, async (t) => {
  const file = await testModule('failures');
  const { gw } = await withGateway(t, [wasmEntry('mem', file, { configuration: 'ok', deliver_body: 'none' }, { memory_limit: 4 * 65536 })]);
  assert.equal((await gw.get('/')).status, 200);
  assert.equal((await gw.get('/', { 'x-grow': '8' })).status, 503);
  assert.equal(gw.gateway.stats.values()['wasm.mem.vm_failed'], 1);
});

test('a module whose on_configure fails or traps is a config error', BUILD, async () => {
  const file = await testModule('failures');
  const up = await startUpstream('up');
  try {
    for (const [configuration, message] of [
      ['fail-configure', /proxy_on_configure returned false/],
      ['trap-configure', /failed to start: wasm VM failed: .*unreachable/],
    ] as const) {
      const config = gatewayConfig({
        routes: [{ match: { prefix: '/' }, route: { cluster: 'up' } }],
        clusters: [{ name: 'up', ports: [up.port] }],
        filters: [wasmEntry(`bad_${configuration.replace('-', '_')}`, file, { configuration })],
      });
      await assert.rejects(startGateway(config), message);
    }
  } finally {
    await up.close();
  }
});

test('a module importing a host function we lack is refused, naming it', BUILD, async () => {
  const file = await testModule('missing-import');
  const config = gatewayConfig({ routes: [{ match: { prefix: '/' }, route: { cluster: 'up' } }], clusters: [{ name: 'up', ports: [await deadPort()] }], filters: [wasmEntry('missing', file)] });
  await assert.rejects(startGateway(config), /does not provide: env\.proxy_does_not_exist/);
});

test('http call: the stream pauses, the answer comes to the root context, and the module continues or replies', BUILD, async (t) => {
  const file = await testModule('callout');
  const auth = await startUpstream('auth', (req, res) => {
    const user = new URL(req.url!, 'http://x').searchParams.get('user');
    if (user === 'alice' && req.headers['x-from'] === 'wasm' && req.headers.host === 'auth.local') res.writeHead(200).end('alice');
    else res.writeHead(401).end('nope');
  });
  t.after(() => auth.close());
  const dead = await deadPort();
  const { gw, seen } = await withGateway(
    t,
    [wasmEntry('authz', file, { configuration: 'auth', deliver_body: 'none' }), wasmEntry('authz_dead', file, { configuration: 'nowhere', deliver_body: 'none' })],
    [{ name: 'auth', ports: [auth.port] }, { name: 'nowhere', ports: [dead] }],
  );
  void seen;
  // Through the first filter only (the second one's cluster is dead): see each outcome separately.
  const denied = await gw.get('/', { 'x-user': 'bob' });
  assert.equal(denied.status, 403);
  assert.equal(denied.body, 'denied: nope');
  const sync = await gw.get('/', { 'x-sync-continue': '1' });
  assert.equal(sync.status, 200, 'continue during the callback does not hang the stream');
  const unreachable = await gw.get('/', { 'x-user': 'alice' });
  assert.equal(unreachable.status, 503, 'the second filter cannot reach its cluster');
  assert.equal(unreachable.body, 'auth unreachable\n');
});

test('http call: a good answer continues the stream with the header the module added', BUILD, async (t) => {
  const file = await testModule('callout');
  const auth = await startUpstream('auth', (_req, res) => res.writeHead(200).end('alice'));
  t.after(() => auth.close());
  const { gw, seen } = await withGateway(t, [wasmEntry('authok', file, { configuration: 'auth', deliver_body: 'none' })], [{ name: 'auth', ports: [auth.port] }]);
  const rs = await Promise.all([1, 2, 3, 4].map(() => gw.get('/', { 'x-user': 'alice' })));
  for (const r of rs) assert.equal(r.status, 200);
  assert.equal(seen.length, 4);
  for (const s of seen) assert.equal(s.headers['x-auth-user'], 'alice');
  assert.equal(auth.seen.length, 4);
});

test('ticks, shared data with CAS, queues and metrics', BUILD, async (t) => {
  const file = await testModule('shared');
  const { gw, seen } = await withGateway(t, [wasmEntry('shared', file, { configuration: '20', deliver_body: 'none' })]);
  await eventually(async () => {
    await gw.get('/tick');
    return Number(seen.at(-1)!.headers['x-ticks']) >= 2 ? true : undefined;
  }, 'two ticks');
  const cas = await gw.get('/cas', { 'x-cas-test': '1' });
  assert.equal(cas.status, 200);
  assert.equal(seen.at(-1)!.headers['x-cas'], '0,8,0');
  const waited = await gw.get('/wait', { 'x-wait-tick': '1' });
  assert.equal(waited.status, 200);
  assert.equal(seen.at(-1)!.headers['x-waited'], 'tick', 'continued from on_tick through proxy_set_effective_context');
  const requests = seen.length;
  assert.equal(gw.gateway.stats.values()['wasm.shared.requests_total'], requests);
  await eventually(
    async () => (gw.gateway.stats.values()['wasm.shared.events_seen'] === requests ? true : undefined),
    'the queue to be drained by on_queue_ready',
  );
});

test('ABI 0.1.0: two-parameter headers callback, proxy_get_configuration, empty value for a missing header, continue_request', BUILD, async (t) => {
  const file = await testModule('abi010');
  const { gw, seen } = await withGateway(t, [wasmEntry('old', file, { configuration: 'c010', deliver_body: 'none' })]);
  assert.equal((await gw.get('/')).status, 200);
  assert.equal(seen[0]!.headers['x-abi010'], 'c010;0/0');
  assert.equal((await gw.get('/', { 'x-continue': '1' })).status, 200);
});

test('WASI: environment from vm_config, clocks, random, fd_write, and proc_exit as a trap', BUILD, async (t) => {
  const file = await testModule('wasi');
  const { gw, seen } = await withGateway(t, [
    wasmEntry('wasi', file, { deliver_body: 'none' }, { environment_variables: { key_values: { GREETING: 'hi there' } } }),
  ]);
  assert.equal((await gw.get('/')).status, 200);
  const h = seen[0]!.headers;
  assert.equal(h['x-env'], 'GREETING=hi there');
  assert.equal(h['x-clock'], 'ok');
  assert.equal(h['x-random'], 'ok');
  assert.equal(h['x-write'], '0/16');
  assert.equal(h['x-poll'], '0/1/42');
  assert.equal((await gw.get('/', { 'x-exit': '1' })).status, 503);
  assert.equal(gw.gateway.stats.values()['wasm.wasi.vm_failed'], 1);
});
