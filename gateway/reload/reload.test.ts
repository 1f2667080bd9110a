// Reload and drain in process: the new config serves new requests, requests in flight finish on the old one, old
// keep-alive connections are closed (idle) or told `connection: close` (busy), a bad config is refused with
// its errors while the old keeps serving, a kept listener never refuses a connection, and host health carries over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { deadPort, gatewayConfig, nodeRequest, startUpstream, type UpstreamHandler } from '../harness.js';
import { createGateway, ConfigValidationError, type Gateway } from '../index.js';
import { waitFor } from '../cluster/fault-upstream.js';
import type { ClusterView } from '../admin/clusters-view.js';

function routeTo(cluster: string, clusters: { name: string; ports: number[]; [k: string]: unknown }[], hcm: Record<string, unknown> = {}): Record<string, unknown> {
  const config = gatewayConfig({ routes: [{ match: { prefix: '/' }, route: { cluster, timeout: '15s' } }], clusters, hcm }) as Record<string, unknown>;
  config.admin = { address: '127.0.0.1', port: 0 };
  return config;
}

async function started(config: unknown, t: { after(fn: () => Promise<void>): void }): Promise<{ gateway: Gateway; origin: string; admin: string }> {
  const gateway = await createGateway({ config, logLevel: 'silent', drainTimeoutMs: 10_000 });
  await gateway.start();
  t.after(() => gateway.stop());
  return { gateway, origin: `http://127.0.0.1:${gateway.address('test').port}`, admin: `http://127.0.0.1:${gateway.adminAddress()!.port}` };
}

/** Upstreams a (with `handlerA`) and b, and a gateway routing to a; all stopped after the test. */
async function routedToA(
  t: { after(fn: () => Promise<void>): void },
  handlerA?: UpstreamHandler,
): Promise<{ clusters: { name: string; ports: number[] }[]; gateway: Gateway; origin: string }> {
  const a = await startUpstream('a', handlerA);
  const b = await startUpstream('b');
  t.after(() => Promise.all([a.close(), b.close()]).then(() => undefined));
  const clusters = [
    { name: 'a', ports: [a.port] },
    { name: 'b', ports: [b.port] },
  ];
  return { clusters, ...(await started(routeTo('a', clusters), t)) };
}

/** One request on `agent`; resolves with the response, its body, and the socket it came on. */
function get(origin: string, path: string, agent: Agent): Promise<{ res: IncomingMessage; body: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(origin + path, { agent, timeout: 15_000 }, (res) => {
      const socket = res.socket;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ res, body: Buffer.concat(chunks).toString(), socket }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

test('a reload serves new requests with the new config; in flight finish on the old; old connections close', { timeout: 30_000 }, async (t) => {
  let releaseSlow: (() => void) | null = null;
  const { clusters, gateway, origin } = await routedToA(t, (req, res) => {
    if (req.url === '/slow') releaseSlow = () => res.end('a-slow');
    else res.end('a');
  });
  const port = gateway.address('test').port;

  const idleAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  const busyAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.after(() => {
    idleAgent.destroy();
    busyAgent.destroy();
  });
  const idle = await get(origin, '/x', idleAgent);
  assert.equal(idle.body, 'a');
  const idleSocket = idle.socket;
  let idleClosed = false;
  idleSocket.once('close', () => (idleClosed = true));

  const slow = get(origin, '/slow', busyAgent);
  await waitFor('slow request at the upstream', () => releaseSlow !== null);

  const result = await gateway.reload({ config: routeTo('b', clusters, { drain_timeout: '10s' }) });
  assert.deepEqual([result.kept, result.added, result.removed], [['test'], [], []]);
  assert.equal(gateway.address('test').port, port, 'the listener kept its socket');

  assert.equal((await nodeRequest(origin, '/x', {})).body, 'b', 'new requests use the new config');
  await waitFor('the idle keep-alive connection closed', () => idleClosed, 5000);

  releaseSlow!();
  const done = await slow;
  assert.equal(done.body, 'a-slow', 'the request in flight finished on the old route');
  assert.equal(done.res.headers.connection, 'close', 'the busy connection is told to close');
});

test('a bad config is refused with every error and the old keeps serving; POST /reload says 400 with them', { timeout: 30_000 }, async (t) => {
  const a = await startUpstream('a');
  t.after(() => a.close());
  const clusters = [{ name: 'a', ports: [a.port] }];
  const { gateway, origin, admin } = await started(routeTo('a', clusters), t);

  const bad = routeTo('nope', clusters);
  await assert.rejects(gateway.reload({ config: bad }), (err: unknown) => {
    assert.ok(err instanceof ConfigValidationError);
    assert.ok(err.errors.some((e) => /route\.cluster$/.test(e.path) && /unknown cluster "nope"/.test(e.message)), JSON.stringify(err.errors));
    return true;
  });
  assert.equal((await nodeRequest(origin, '/x', {})).body, 'a');

  // The admin re-reads the source the gateway started from: an object here, so a reload of it is accepted.
  const ok = await fetch(`${admin}/reload`, { method: 'POST' });
  assert.equal(ok.status, 200, await ok.clone().text());
  assert.deepEqual(((await ok.json()) as { reloaded: { kept: string[] } }).reloaded.kept, ['test']);
  const stats = (await (await fetch(`${admin}/stats?format=json&filter=${encodeURIComponent('^server\\.reload')}`)).json()) as { stats: { name: string; value: number }[] };
  assert.deepEqual(
    Object.fromEntries(stats.stats.map((s) => [s.name, s.value])),
    { 'server.reload_failure': 1, 'server.reload_success': 1 },
  );
});

test('POST /reload answers 400 with the errors of a broken file, and the old config keeps serving', { timeout: 30_000 }, async (t) => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const a = await startUpstream('a');
  t.after(() => a.close());
  const dir = mkdtempSync(join(tmpdir(), 'gw-reload-'));
  t.after(async () => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'gw.json');
  writeFileSync(file, JSON.stringify(routeTo('a', [{ name: 'a', ports: [a.port] }])));
  const gateway = await createGateway({ configPath: file, logLevel: 'silent' });
  await gateway.start();
  t.after(() => gateway.stop());
  const admin = `http://127.0.0.1:${gateway.adminAddress()!.port}`;
  const origin = `http://127.0.0.1:${gateway.address('test').port}`;
  writeFileSync(file, JSON.stringify({ ...routeTo('a', [{ name: 'a', ports: [a.port] }]), clusters: [{ name: 'a', connect_timeout: '1s', colour: 'red', endpoints: [{ address: '127.0.0.1', port: 70000 }] }] }));
  const refused = await fetch(`${admin}/reload`, { method: 'POST' });
  assert.equal(refused.status, 400);
  const body = (await refused.json()) as { errors: { path: string; message: string }[] };
  assert.ok(body.errors.some((e) => e.path === 'clusters[0].endpoints[0].port'), JSON.stringify(body));
  assert.ok(body.errors.some((e) => e.path === 'clusters[0]' && /colour/.test(e.message)), JSON.stringify(body));
  assert.equal((await nodeRequest(origin, '/x', {})).body, 'a');
});

test('a kept listener refuses no connection while reloads happen', { timeout: 40_000 }, async (t) => {
  const { clusters, gateway, origin } = await routedToA(t);
  let running = true;
  const failures: string[] = [];
  let sent = 0;
  // Four clients, each a fresh connection per request (agent: false), so every request is a new connection.
  const client = async (): Promise<void> => {
    while (running) {
      sent++;
      try {
        const r = await nodeRequest(origin, '/x', { connection: 'close' });
        if (r.status !== 200) failures.push(`status ${r.status}`);
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
  };
  const clients = [client(), client(), client(), client()];
  // Reload until both many reloads and many requests happened, each reload with requests around it.
  let reloads = 0;
  for (let seen = sent; reloads < 8 || sent < 400; reloads++) {
    await gateway.reload({ config: routeTo(reloads % 2 === 0 ? 'b' : 'a', clusters) });
    await waitFor('requests between reloads', () => sent >= seen + 20);
    seen = sent;
  }
  running = false;
  await Promise.all(clients);
  assert.deepEqual(failures, []);
});

test('health carries over a reload: a host known dead stays out, one known alive stays in', { timeout: 40_000 }, async (t) => {
  // Health checks answer slowly (1.5 s), so right after the reload no new check has finished yet.
  const alive = await startUpstream('alive', (req, res) => {
    if (req.url === '/healthz') setTimeout(() => res.end('ok'), 1500);
    else res.end('alive');
  });
  const dead = await startUpstream('dead', (req, res) => {
    if (req.url === '/healthz') setTimeout(() => res.writeHead(503).end(), 1500);
    else res.end('dead');
  });
  t.after(() => Promise.all([alive.close(), dead.close()]).then(() => undefined));
  const hc = { timeout: '5s', interval: '30s', unhealthy_threshold: 1, healthy_threshold: 1, http_health_check: { path: '/healthz' } };
  const clusters = [{ name: 'app', ports: [alive.port, dead.port], health_checks: [hc] }];
  const { gateway, origin, admin } = await started(routeTo('app', clusters), t);
  const states = async (): Promise<string[]> => {
    const views = (await (await fetch(`${admin}/clusters?format=json`)).json()) as { cluster_statuses: ClusterView[] };
    return views.cluster_statuses[0]!.hosts.map((h) => `${h.address}=${h.active_health_check?.state}`);
  };
  const expected = [`127.0.0.1:${alive.port}=healthy`, `127.0.0.1:${dead.port}=unhealthy`];
  assert.deepEqual(await states(), expected);

  const before = performance.now();
  await gateway.reload({ config: routeTo('app', clusters, { server_name: 'reloaded' }) });
  assert.ok(performance.now() - before < 1400, 'the reload did not wait for a first round of checks');
  assert.deepEqual(await states(), expected, 'right after the reload');
  for (let i = 0; i < 4; i++) assert.equal((await nodeRequest(origin, '/x', {})).body, 'alive');
});

test('POST /drain_listeners: ready turns DRAINING, new connections are refused, the request in flight completes, the gateway stops', { timeout: 30_000 }, async (t) => {
  let releaseSlow: (() => void) | null = null;
  const a = await startUpstream('a', (req, res) => {
    if (req.url === '/slow') releaseSlow = () => res.end('a-slow');
    else res.end('a');
  });
  t.after(() => a.close());
  const { gateway, origin, admin } = await started(routeTo('a', [{ name: 'a', ports: [a.port] }]), t);
  const slow = nodeRequest(origin, '/slow', {});
  await waitFor('slow request at the upstream', () => releaseSlow !== null);
  const drain = await fetch(`${admin}/drain_listeners`, { method: 'POST' });
  assert.deepEqual([drain.status, await drain.text()], [200, 'OK\n']);
  await waitFor('draining', () => gateway.readiness() === 'DRAINING');
  assert.equal((await fetch(`${admin}/ready`)).status, 503);
  await assert.rejects(nodeRequest(origin, '/x', {}), 'the listener no longer accepts');
  releaseSlow!();
  assert.equal((await slow).body, 'a-slow');
  await gateway.stopped;
});

test('a reload whose new listener cannot bind is rolled back: what it opened is closed, the old keeps serving', { timeout: 30_000 }, async (t) => {
  const a = await startUpstream('a');
  t.after(() => a.close());
  const clusters = [{ name: 'a', ports: [a.port] }];
  const { gateway, origin } = await started(routeTo('a', clusters), t);
  const port = gateway.address('test').port;
  // A second listener on a free port (bound first), then one on the port the running listener holds.
  const next = routeTo('a', clusters) as { listeners: { name: string; port: number }[] };
  const taken = { ...next.listeners[0]!, name: 'renamed', port };
  const extraPort = await deadPort();
  const extra = { ...next.listeners[0]!, name: 'extra', port: extraPort };
  next.listeners = [extra, taken];
  await assert.rejects(gateway.reload({ config: next }), new RegExp(`listener renamed: cannot listen on 127\\.0\\.0\\.1:${port}`));
  assert.equal((await nodeRequest(origin, '/x', {})).body, 'a');
  assert.throws(() => gateway.address('extra'), /no listener named "extra"/);
  await assert.rejects(nodeRequest(`http://127.0.0.1:${extraPort}`, '/x', {}), /ECONNREFUSED/, 'the listener it bound is closed again');
});

test('an outlier ejection carries over a reload that keeps the outlier_detection settings', { timeout: 30_000 }, async (t) => {
  const good = await startUpstream('good');
  const bad = await startUpstream('bad', (_req, res) => res.writeHead(503).end());
  t.after(() => Promise.all([good.close(), bad.close()]).then(() => undefined));
  const od = { consecutive_5xx: 2, base_ejection_time: '60s', max_ejection_percent: 100 };
  const clusters = [{ name: 'app', ports: [good.port, bad.port], outlier_detection: od }];
  const { gateway, origin, admin } = await started(routeTo('app', clusters), t);
  const ejected = async (): Promise<string[]> => {
    const views = (await (await fetch(`${admin}/clusters?format=json`)).json()) as { cluster_statuses: ClusterView[] };
    return views.cluster_statuses[0]!.hosts.filter((h) => h.outlier_detection?.ejected != null).map((h) => h.address);
  };
  for (let i = 0; i < 6; i++) await nodeRequest(origin, '/x', {});
  assert.deepEqual(await ejected(), [`127.0.0.1:${bad.port}`]);
  await gateway.reload({ config: routeTo('app', clusters, { server_name: 'reloaded' }) });
  assert.deepEqual(await ejected(), [`127.0.0.1:${bad.port}`], 'still ejected after the reload');
  for (let i = 0; i < 4; i++) assert.equal((await nodeRequest(origin, '/x', {})).body, 'good');
});

test('POST /reload answers 409 while another reload is still building', { timeout: 30_000 }, async (t) => {
  const a = await startUpstream('a');
  // Health checks that never answer: the new cluster's first round holds the reload for its timeout.
  const silent = await startUpstream('silent', () => undefined);
  t.after(() => Promise.all([a.close(), silent.close()]).then(() => undefined));
  const { gateway, admin } = await started(routeTo('a', [{ name: 'a', ports: [a.port] }]), t);
  const hc = { timeout: '2s', interval: '30s', unhealthy_threshold: 1, healthy_threshold: 1, http_health_check: { path: '/healthz' } };
  const slow = gateway.reload({ config: routeTo('a', [{ name: 'a', ports: [a.port] }, { name: 'new', ports: [silent.port], health_checks: [hc] }]) });
  await waitFor('the first reload holds the lock', () => gateway.reloadInProgress);
  const busy = await fetch(`${admin}/reload`, { method: 'POST' });
  assert.equal(busy.status, 409);
  assert.match(((await busy.json()) as { errors: { message: string }[] }).errors[0]!.message, /already in progress/);
  assert.deepEqual((await slow).kept, ['test']);
});
