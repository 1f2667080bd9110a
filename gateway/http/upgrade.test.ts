import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createServer as createHttpsServer } from 'node:https';
import { certPath, certPem } from '../tls-test-certs.js';
import { WebSocket, WebSocketServer } from 'ws';
import type { RawData } from 'ws';
import { gatewayConfig, nodeRequest, startGateway } from '../harness.js';
import type { TestGateway } from '../harness.js';
import { eventually } from '../network/test-fixtures.js';

interface EchoServer {
  readonly port: number;
  readonly name: string;
  /** Paths of the upgrade requests it accepted. */
  readonly paths: string[];
  close(): Promise<void>;
}

/** A WebSocket echo upstream; a text message "close:<code>" makes it close with that code. */
async function startEcho(name: string): Promise<EchoServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const paths: string[] = [];
  wss.on('connection', (ws, req) => {
    paths.push(req.url ?? '');
    ws.send(`hello from ${name}`);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const text = isBinary ? '' : data.toString();
      if (text.startsWith('close:')) ws.close(Number(text.slice(6)), 'bye');
      else ws.send(data, { binary: isBinary });
    });
  });
  return {
    port: (wss.address() as AddressInfo).port,
    name,
    paths,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}

interface Client {
  readonly ws: WebSocket;
  /** The next message (bounded wait). */
  next(timeoutMs?: number): Promise<{ data: Buffer; binary: boolean }>;
  closed(timeoutMs?: number): Promise<{ code: number; reason: string }>;
}

function open(url: string): Promise<Client> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const queue: { data: Buffer; binary: boolean }[] = [];
  const waiters: ((m: { data: Buffer; binary: boolean }) => void)[] = [];
  ws.on('message', (data: RawData, binary: boolean) => {
    const m = { data: Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer), binary };
    const w = waiters.shift();
    if (w) w(m);
    else queue.push(m);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const bounded = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
      p.then(
        (v) => {
          clearTimeout(t);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(t);
          reject(e as Error);
        },
      );
    });
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () =>
      resolve({
        ws,
        next: (ms = 10_000) => bounded(queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise((r) => waiters.push(r)), ms, 'a message'),
        closed: (ms = 10_000) => bounded(closed, ms, 'the close'),
      }),
    );
  });
}

function wsConfig(echoA: EchoServer, echoB: EchoServer, hcm: Record<string, unknown>, accessLogPath?: string): unknown {
  return gatewayConfig({
    routes: [
      { match: { prefix: '/b' }, route: { cluster: 'b' } },
      { match: { prefix: '/no-ws' }, route: { cluster: 'a', upgrade_configs: [{ upgrade_type: 'websocket', enabled: false }] } },
      { match: { prefix: '/' }, route: { cluster: 'a' } },
    ],
    clusters: [
      { name: 'a', ports: [echoA.port] },
      { name: 'b', ports: [echoB.port] },
    ],
    hcm: { ...hcm, ...(accessLogPath ? { access_log: [{ name: 'file', path: accessLogPath }] } : {}) },
  });
}

async function setup(t: { after(fn: () => unknown): void }, hcm: Record<string, unknown> = { upgrade_configs: [{ upgrade_type: 'websocket' }] }) {
  const a = await startEcho('a');
  const b = await startEcho('b');
  const dir = mkdtempSync(join(tmpdir(), 'wsgw-'));
  const logPath = join(dir, 'access.log');
  const gw: TestGateway = await startGateway(wsConfig(a, b, hcm, logPath));
  t.after(async () => {
    await gw.close();
    await Promise.all([a.close(), b.close()]);
    rmSync(dir, { recursive: true, force: true });
  });
  return { a, b, gw, logPath, url: gw.origin.replace('http:', 'ws:') };
}

test('websocket: echo through the gateway, many messages both ways, a large one, counted', async (t) => {
  const { gw, url } = await setup(t);
  const c = await open(`${url}/chat`);
  assert.equal((await c.next()).data.toString(), 'hello from a');
  for (let i = 0; i < 200; i++) c.ws.send(`m${i}`);
  for (let i = 0; i < 200; i++) assert.equal((await c.next()).data.toString(), `m${i}`);
  const big = randomBytes(4 * 1024 * 1024);
  c.ws.send(big);
  const back = await c.next(20_000);
  assert.equal(back.binary, true);
  assert.ok(back.data.equals(big), 'the 4 MiB message came back whole');
  const stats = gw.gateway.stats.values();
  assert.equal(stats['http.test.downstream_cx_upgrades_total'], 1);
  assert.equal(stats['http.test.downstream_cx_upgrades_active'], 1);
  c.ws.close(1000);
  await c.closed();
  await eventually(() => gw.gateway.stats.values()['http.test.downstream_cx_upgrades_active'] === 0, 'the upgrade to end');
  assert.equal(gw.gateway.stats.values()['http.test.downstream_rq_total'], 1);
});

test('websocket: close codes pass both ways; the connection is access-logged with 101 when it ends', async (t) => {
  const { gw, url, logPath } = await setup(t);
  const c = await open(`${url}/x`);
  await c.next();
  c.ws.send('close:4001');
  assert.deepEqual(await c.closed(), { code: 4001, reason: 'bye' });
  const d = await open(`${url}/y`);
  await d.next();
  d.ws.close(4002, 'client says bye');
  assert.equal((await d.closed()).code, 4002);
  await eventually(() => gw.gateway.stats.values()['http.test.downstream_cx_upgrades_active'] === 0, 'both upgrades to end');
  await eventually(() => existsSync(logPath) && readFileSync(logPath, 'utf8').trim().split('\n').length >= 2, 'two access log lines');
  const lines = readFileSync(logPath, 'utf8').trim().split('\n');
  for (const line of lines) assert.match(line, /101/);
});

test('websocket: the route (and its cluster) is chosen by path', async (t) => {
  const { a, b, url } = await setup(t);
  const c = await open(`${url}/b/room`);
  assert.equal((await c.next()).data.toString(), 'hello from b');
  c.ws.close();
  await c.closed();
  assert.deepEqual(b.paths, ['/b/room']);
  assert.deepEqual(a.paths, []);
});

test('websocket: refused with 403 when the HCM has no upgrade_configs, or the route disables it', async (t) => {
  const { gw, url } = await setup(t, {});
  await assert.rejects(open(`${url}/chat`), /Unexpected server response: 403/);
  await eventually(() => gw.gateway.stats.values()['http.test.downstream_rq_4xx'] === 1, 'the 403 to be counted');

  const allowed = await setup(t);
  await assert.rejects(open(`${allowed.url}/no-ws`), /Unexpected server response: 403/);
  // A plain request still works on the same gateway.
  const plain = await nodeRequest(allowed.gw.origin, '/missing-upgrade', {});
  assert.notEqual(plain.status, 403);
});

test('websocket: on shutdown an open connection gets a close frame (1001) and ends cleanly, counted as ended', async () => {
  const a = await startEcho('a');
  const b = await startEcho('b');
  const gw = await startGateway(wsConfig(a, b, { upgrade_configs: [{ upgrade_type: 'websocket' }] }));
  try {
    const c = await open(`${gw.origin.replace('http:', 'ws:')}/live`);
    await c.next();
    const started = Date.now();
    await gw.close(); // drainTimeoutMs 1000 in the harness
    assert.deepEqual(await c.closed(5000), { code: 1001, reason: '' });
    assert.ok(Date.now() - started < 900, 'closed by the close handshake, not cut at the drain deadline');
    await eventually(() => gw.gateway.stats.values()['http.test.downstream_cx_upgrades_active'] === 0, 'the upgrade to be counted as ended');
    assert.equal(gw.gateway.stats.values()['http.test.downstream_rq_1xx'], 1);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('websocket: to a cluster with transport_socket tls the upgrade goes over TLS', async (t) => {
  const server = createHttpsServer({ cert: certPem('upstream'), key: certPem('upstream', true) });
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  wss.on('connection', (ws) => ws.on('message', (d: RawData, binary: boolean) => ws.send(d, { binary })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const c of wss.clients) c.terminate();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const tls = { transport_socket: { name: 'tls', config: { sni: 'upstream.test', validation_context: { trusted_ca: { filename: certPath('ca') } } } } };
  const gw = await startGateway(
    gatewayConfig({
      routes: [{ match: { prefix: '/' }, route: { cluster: 'secure' } }],
      clusters: [{ name: 'secure', ports: [(server.address() as AddressInfo).port], ...tls }],
      hcm: { upgrade_configs: [{ upgrade_type: 'websocket' }] },
    }),
  );
  t.after(() => gw.close());
  const c = await open(`${gw.origin.replace('http:', 'ws:')}/secure`);
  c.ws.send('over tls');
  assert.equal((await c.next()).data.toString(), 'over tls');
  c.ws.close();
  await c.closed();
});
