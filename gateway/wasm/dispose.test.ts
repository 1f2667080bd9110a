// A released wasm plugin (HTTP or network filter): its root context gets proxy_on_done then proxy_on_delete
// and leaves the VM; the VM outlives it while another plugin uses it, and is dropped with the last one (the
// next config to name the module starts a fresh instance: context ids from 1 again).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadChain, loadNetworkChain } from '../../sdk/testing.js';
import type { LogRecord } from '../../sdk/testing.js';
import { wasmFilter } from './wasm-filter.js';
import { wasmNetworkFilter } from './network-filter.js';
import { testModule } from './module-fixtures.js';

const BUILD = { timeout: 240_000 };

const config = (file: string, vmId: string): unknown => ({ root_id: 'life', vm_config: { vm_id: vmId, code: { local: { filename: file } } } });

/** The module's lines about root contexts: "root <id> configured|done|deleted". */
const roots = (logs: readonly LogRecord[]): string[] => logs.map((l) => String(l.msg)).filter((m) => m.startsWith('root '));

test('http: done then delete on close; the VM is shared while both plugins live and dropped with the last', BUILD, async () => {
  const file = await testModule('lifecycle');
  const a = await loadChain([{ factory: wasmFilter, config: config(file, 'http-vm') }]);
  const b = await loadChain([{ factory: wasmFilter, config: config(file, 'http-vm') }]);
  assert.deepEqual([roots(a.logs), roots(b.logs)], [['root 1 configured'], ['root 2 configured']], 'one VM, two root contexts');
  assert.equal((await a.run()).upstreamCalled, true);

  await a.close();
  assert.deepEqual(roots(a.logs), ['root 1 configured', 'root 1 done', 'root 1 deleted']);
  assert.deepEqual(roots(b.logs), ['root 2 configured'], 'the other plugin is untouched');
  assert.equal((await b.run()).upstreamCalled, true, 'and still serves on the VM');

  await b.close();
  assert.deepEqual(roots(b.logs), ['root 2 configured', 'root 2 done', 'root 2 deleted']);
  const c = await loadChain([{ factory: wasmFilter, config: config(file, 'http-vm') }]);
  assert.deepEqual(roots(c.logs), ['root 1 configured'], 'the last plugin gone, the VM was dropped: a fresh one');
  await c.close();
});

test('network: done then delete on close', BUILD, async () => {
  const file = await testModule('lifecycle');
  const chain = await loadNetworkChain([{ factory: wasmNetworkFilter, config: config(file, 'net-vm') }]);
  const conn = chain.connect();
  assert.equal(conn.established, true);
  conn.close();
  await chain.close();
  assert.deepEqual(roots(chain.logs), ['root 1 configured', 'root 1 done', 'root 1 deleted']);
});
