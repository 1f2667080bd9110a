// Calls from filters to clusters: through the cluster's hosts, with a deadline, and clear errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { HttpCallError } from '../../sdk/filter.js';
import { ClusterManager } from '../cluster/cluster-manager.js';
import { loadConfigObject } from '../config/load.js';
import { deadPort, gatewayConfig, startUpstream } from '../harness.js';
import { createHttpCall } from './http-call.js';

async function clustersFor(clusters: { name: string; ports: number[] }[]): Promise<ClusterManager> {
  const raw = gatewayConfig({ routes: [{ match: { prefix: '/' }, route: { cluster: clusters[0]!.name } }], clusters });
  const { config } = await loadConfigObject(raw, process.cwd(), async () => {
    throw new Error('no filters here');
  });
  const cm = new ClusterManager(config.clusters, pino({ level: 'silent' }));
  await cm.start();
  return cm;
}

test('an http call reaches the cluster and returns status, headers and body', { timeout: 20_000 }, async (t) => {
  const up = await startUpstream('auth', (req, res, body) => {
    res.writeHead(req.url === '/check' ? 200 : 403, { 'x-user': 'alice' });
    res.end(`${req.method} ${req.headers.host} ${body}`);
  });
  const hang = await startUpstream('hang', () => {});
  const dead = await deadPort();
  const cm = await clustersFor([
    { name: 'auth', ports: [up.port] },
    { name: 'hang', ports: [hang.port] },
    { name: 'dead', ports: [dead] },
  ]);
  t.after(async () => {
    await cm.close();
    await up.close();
    await hang.close();
  });
  const call = createHttpCall(cm);
  const r = await call('auth', { method: 'POST', path: '/check', body: 'b', timeoutMs: 2000 });
  assert.equal(r.status, 200);
  assert.equal(r.headers['x-user'], 'alice');
  assert.equal(r.body.toString(), 'POST auth b');
  assert.equal((await call('auth', { path: '/other', authority: 'authz.local', timeoutMs: 2000 })).body.toString(), 'GET authz.local ');

  const codeOf = (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => (e instanceof HttpCallError ? e.code : String(e)));
  assert.equal(await codeOf(call('nope', { path: '/', timeoutMs: 100 })), 'unknown_cluster');
  assert.equal(await codeOf(call('dead', { path: '/', timeoutMs: 2000 })), 'connect_failure');
  const started = Date.now();
  assert.equal(await codeOf(call('hang', { path: '/', timeoutMs: 150 })), 'timeout');
  assert.ok(Date.now() - started < 2000);
  assert.equal(cm.get('auth')!.breaker.tryStartRequest(), true, 'breaker slots were given back');
});
