import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wasmModule } from '../../filters/wasm/build-fixture.js';
import { eventually, exchange, openClient, startFrontListener, startTcpEcho, tcpProxyConfig } from '../network/test-fixtures.js';
import type { TcpEcho } from '../network/test-fixtures.js';

async function front(t: { after(fn: () => unknown): void }, echo: TcpEcho, configuration: Record<string, string>, extra: Record<string, unknown> = {}) {
  const filename = await wasmModule('tcp_inspect');
  const f = await startFrontListener(
    tcpProxyConfig({
      filters: [{ name: 'wasm', config: { name: 'inspect', vm_config: { vm_id: `net-${Math.random()}`, code: { local: { filename } } }, configuration, ...extra } }],
      clusters: [{ name: 'echo', ports: [echo.port] }],
    }),
  );
  t.after(() => f.close());
  return f;
}

test('wasm network filter (AssemblyScript): counts bytes both ways, rewrites a prefix of the client data', async (t) => {
  const echo = await startTcpEcho();
  t.after(() => echo.close());
  const f = await front(t, echo, { rewrite_from: 'ping', rewrite_to: 'PONG' });
  assert.equal((await exchange(f.port, 'ping me')).data.toString(), 'PONG me');
  assert.equal((await exchange(f.port, 'pong me')).data.toString(), 'pong me');
  await eventually(() => f.stats.values()['wasm.inspect.tcp_inspect.connections'] === 2, 'two connections counted');
  const v = f.stats.values();
  assert.equal(v['wasm.inspect.tcp_inspect.downstream_bytes'], 14);
  assert.equal(v['wasm.inspect.tcp_inspect.upstream_bytes'], 14);
});

test('wasm network filter: StopIteration holds the data until the delimiter; the module sees all of it again', async (t) => {
  const echo = await startTcpEcho();
  t.after(() => echo.close());
  const f = await front(t, echo, { hold_until: '\n', rewrite_from: 'ab', rewrite_to: 'AB' });
  const c = await openClient(f.port);
  t.after(() => c.socket.destroy());
  c.socket.write('ab');
  c.socket.write('cd');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(c.received().length, 0, 'held until the newline');
  c.socket.write('ef\n');
  await c.waitFor((d) => d.toString() === 'ABcdef\n', 'the whole line, rewritten');
  assert.equal(f.stats.values()['wasm.inspect.tcp_inspect.downstream_bytes'], 7);
});

test('wasm network filter: a marker closes the connection from the module (proxy_close_stream), others go on', async (t) => {
  const echo = await startTcpEcho();
  t.after(() => echo.close());
  const f = await front(t, echo, { close_marker: 'QUIT' });
  const calm = await openClient(f.port);
  t.after(() => calm.socket.destroy());
  calm.socket.write('hello');
  await calm.waitFor((d) => d.toString() === 'hello', 'the echo');
  const quitter = await openClient(f.port);
  t.after(() => quitter.socket.destroy());
  quitter.socket.write('a QUIT b');
  await quitter.closed();
  assert.equal(quitter.received().length, 0);
  assert.equal(f.stats.values()['wasm.inspect.tcp_inspect.closed_by_marker'], 1);
  calm.socket.write(' again');
  await calm.waitFor((d) => d.toString() === 'hello again', 'the other connection unaffected');
});

test('wasm network filter: a module that rejects its configuration fails the config load', async (t) => {
  const echo = await startTcpEcho();
  t.after(() => echo.close());
  await assert.rejects(front(t, echo, { no_such_field: 'x' }), /proxy_on_configure returned false/);
});
