// Network filters and tcp_proxy through the whole gateway (createGateway: config load, listener, filter chains).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from '../harness.js';
import { wasmModule } from '../../filters/wasm/build-fixture.js';
import { exchange, startTcpEcho, tcpProxyConfig } from './test-fixtures.js';

function named(config: unknown): unknown {
  const c = config as { listeners: { name: string; address?: string }[] };
  c.listeners[0]!.name = 'test';
  c.listeners[0]!.address = '127.0.0.1';
  return c;
}

test('gateway: a tcp_proxy listener with network_rbac and a wasm network filter in front', async (t) => {
  const echo = await startTcpEcho();
  t.after(() => echo.close());
  const filename = await wasmModule('tcp_inspect');
  const gw = await startGateway(
    named(
      tcpProxyConfig({
        filters: [
          {
            name: 'network_rbac',
            config: { stat_prefix: 'acl', rules: { action: 'DENY', policies: { none: { permissions: [{ destination_port: 1 }], principals: [{ any: true }] } } } },
          },
          { name: 'wasm', config: { name: 'gw_inspect', vm_config: { code: { local: { filename } } }, configuration: { rewrite_from: 'hi', rewrite_to: 'HI' } } },
        ],
        clusters: [{ name: 'echo', ports: [echo.port] }],
      }),
    ),
  );
  t.after(() => gw.close());
  const { port } = gw.gateway.address('test');
  assert.equal((await exchange(port, 'hi there')).data.toString(), 'HI there');
  const stats = gw.gateway.stats.values();
  assert.equal(stats['acl.rbac.allowed'], 1);
  assert.equal(stats['tcp.test.downstream_cx_total'], 1);
  assert.equal(stats['wasm.gw_inspect.tcp_inspect.connections'], 1);
});
