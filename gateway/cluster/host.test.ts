import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Host } from './host.js';
import { endpoint } from './test-fixtures.js';

const POOL = { connections: 1, connectTimeoutMs: 1000, keepAliveTimeoutMs: 5000 };

async function startServer(t: { after(fn: () => unknown): void }): Promise<{ server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => res.end(`hello ${req.url}`));
  server.on('connection', (s) => sockets.add(s));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { server, sockets };
}

test('hostname is address:port, bracketed for IPv6', async () => {
  const v4 = new Host(endpoint('backend.local', 9081, { weight: 3, priority: 1 }), '10.1.2.3', POOL);
  const v6 = new Host(endpoint('backend.local', 9081), '::1', POOL);
  assert.equal(v4.hostname, '10.1.2.3:9081');
  assert.equal(v6.hostname, '[::1]:9081');
  assert.deepEqual([v4.address, v4.port, v4.weight, v4.priority, v4.healthy], ['10.1.2.3', 9081, 3, 1, true]);
  await Promise.all([v4.close(), v6.close()]);
});

test('the pool reaches the endpoint, keeps connections alive and opens no more than `connections`', async (t) => {
  const { server, sockets } = await startServer(t);
  const { port } = server.address() as AddressInfo;
  const host = new Host(endpoint('127.0.0.1', port), '127.0.0.1', POOL);
  t.after(() => host.close());

  const bodies = await Promise.all(
    ['/a', '/b', '/c'].map(async (path) => {
      const res = await host.pool.request({ method: 'GET', path, signal: AbortSignal.timeout(5000) });
      assert.equal(res.statusCode, 200);
      return res.body.text();
    }),
  );
  assert.deepEqual(bodies, ['hello /a', 'hello /b', 'hello /c']);
  // Three concurrent requests over a pool of one connection: one socket, reused.
  assert.equal(sockets.size, 1);
});

test('close waits for in-flight requests and is idempotent', async (t) => {
  const { server } = await startServer(t);
  const { port } = server.address() as AddressInfo;
  const host = new Host(endpoint('127.0.0.1', port), '127.0.0.1', POOL);
  const inFlight = host.pool.request({ method: 'GET', path: '/late', signal: AbortSignal.timeout(5000) });
  const closing = host.close();
  assert.equal(host.close(), closing);
  const res = await inFlight;
  assert.equal(await res.body.text(), 'hello /late');
  await closing;
  assert.equal(host.pool.destroyed, true);
});
