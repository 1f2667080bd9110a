import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { certPath, certPem } from '../tls-test-certs.js';
import { deadPort } from '../harness.js';
import { failActiveCheck } from '../cluster/test-fixtures.js';
import { eventually, exchange, openClient, startFrontListener, startTcpEcho, tcpProxyConfig } from './test-fixtures.js';

test('tcp_proxy: 1 MiB echoed back through the proxy, half-close passes both ways, stats counted', async (t) => {
  const echo = await startTcpEcho();
  t.after(() => echo.close());
  const front = await startFrontListener(tcpProxyConfig({ clusters: [{ name: 'echo', ports: [echo.port] }] }));
  t.after(() => front.close());
  const payload = randomBytes(1024 * 1024);
  const { data, ended } = await exchange(front.port, payload);
  assert.equal(ended, true, 'the upstream end reached the client as a clean end');
  assert.equal(data.length, payload.length);
  assert.ok(data.equals(payload));
  const v = front.stats.values();
  assert.equal(v['tcp.test.downstream_cx_total'], 1);
  assert.equal(v['tcp.test.downstream_cx_rx_bytes_total'], payload.length);
  assert.equal(v['tcp.test.downstream_cx_tx_bytes_total'], payload.length);
  await eventually(() => front.proxy.active === 0 && echo.open === 0, 'both connections to close');
});

test('tcp_proxy: weighted_clusters pick a cluster per connection by weight', async (t) => {
  const a = await startTcpEcho();
  const b = await startTcpEcho();
  t.after(() => Promise.all([a.close(), b.close()]));
  const draws = [0.1, 0.5, 0.9, 0.2, 0.3];
  let i = 0;
  const front = await startFrontListener(
    tcpProxyConfig({
      clusters: [
        { name: 'a', ports: [a.port] },
        { name: 'b', ports: [b.port] },
      ],
      tcpProxy: { cluster: undefined, weighted_clusters: { clusters: [{ name: 'a', weight: 1 }, { name: 'b', weight: 3 }] } },
    }),
    { random: () => draws[i++ % draws.length]! },
  );
  t.after(() => front.close());
  for (let n = 0; n < draws.length; n++) assert.equal((await exchange(front.port, 'hi')).data.toString(), 'hi');
  // total weight 4: floor(r * 4) = 0 picks a, 1..3 pick b → 0.1 a, 0.5 b, 0.9 b, 0.2 a, 0.3 b
  assert.equal(a.accepted, 2);
  assert.equal(b.accepted, 3);
});

test('tcp_proxy: an idle connection is closed after idle_timeout and counted', async (t) => {
  const echo = await startTcpEcho();
  t.after(() => echo.close());
  const front = await startFrontListener(tcpProxyConfig({ clusters: [{ name: 'echo', ports: [echo.port] }], tcpProxy: { idle_timeout: '300ms' } }));
  t.after(() => front.close());
  const client = await openClient(front.port);
  t.after(() => client.socket.destroy());
  client.socket.write('ping');
  await client.waitFor((d) => d.toString() === 'ping', 'the echo');
  await client.closed();
  assert.equal(front.stats.values()['tcp.test.idle_timeout'], 1);
});

test('tcp_proxy: with max_connect_attempts 2 a dead host is passed over for a live one, and counted as a connect failure', async (t) => {
  const echo = await startTcpEcho();
  t.after(() => echo.close());
  const dead = await deadPort();
  const front = await startFrontListener(
    tcpProxyConfig({ clusters: [{ name: 'echo', ports: [dead, echo.port] }], tcpProxy: { max_connect_attempts: 2 } }),
  );
  t.after(() => front.close());
  // Round robin: of two connections, one starts with the dead host.
  for (let n = 0; n < 2; n++) assert.equal((await exchange(front.port, `hello ${n}`)).data.toString(), `hello ${n}`);
  const v = front.stats.values();
  const failed = v['cluster.echo.upstream_cx_connect_fail']!;
  assert.ok(failed >= 1 && failed <= 2, `connect failures: ${failed}`);
  assert.equal(v['tcp.test.upstream_connect_attempts_exceeded'] ?? 0, 0);
  assert.equal(echo.accepted, 2);
});

test('tcp_proxy: with max_connect_attempts 1 a connection that drew the dead host is closed', async (t) => {
  const dead = await deadPort();
  const front = await startFrontListener(tcpProxyConfig({ clusters: [{ name: 'dead', ports: [dead] }] }));
  t.after(() => front.close());
  const { data } = await exchange(front.port, 'hello');
  assert.equal(data.length, 0);
  const v = front.stats.values();
  assert.equal(v['tcp.test.upstream_connect_attempts_exceeded'], 1);
  assert.equal(v['cluster.dead.upstream_cx_connect_fail'], 1);
});

test('tcp_proxy: a host out of rotation (failed active check) gets no connection', async (t) => {
  const echo = await startTcpEcho();
  const other = await startTcpEcho();
  t.after(() => Promise.all([echo.close(), other.close()]));
  const front = await startFrontListener(tcpProxyConfig({ clusters: [{ name: 'echo', ports: [other.port, echo.port] }] }));
  t.after(() => front.close());
  const cluster = front.clusters.get('echo')!;
  failActiveCheck(cluster.hosts[0]!);
  cluster.onHostsChanged();
  for (let n = 0; n < 4; n++) assert.equal((await exchange(front.port, 'x')).data.toString(), 'x');
  assert.equal(other.accepted, 0);
  assert.equal(echo.accepted, 4);
});

test('tcp_proxy: drain lets a connection run for the drain time, then cuts it', async (t) => {
  const echo = await startTcpEcho();
  t.after(() => echo.close());
  const front = await startFrontListener(tcpProxyConfig({ clusters: [{ name: 'echo', ports: [echo.port] }] }));
  t.after(() => front.close());
  const client = await openClient(front.port);
  t.after(() => client.socket.destroy());
  client.socket.write('a');
  await client.waitFor((d) => d.toString() === 'a', 'the echo');
  const drained = front.chain.drain(200);
  client.socket.write('b');
  await client.waitFor((d) => d.toString() === 'ab', 'the echo while draining');
  await drained;
  await client.closed();
});

test('tcp_proxy: a cluster with transport_socket tls gets TLS connections; a wrong CA is a connect failure', async (t) => {
  const server = createTlsServer({ cert: certPem('upstream'), key: certPem('upstream', true) }, (socket) => {
    socket.on('error', () => {});
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;
  const tlsCluster = (ca: string) => ({
    name: 'secure',
    ports: [port],
    extra: { transport_socket: { name: 'tls', config: { sni: 'upstream.test', validation_context: { trusted_ca: { filename: certPath(ca as 'ca') } } } } },
  });
  const good = await startFrontListener(tcpProxyConfig({ clusters: [tlsCluster('ca')] }));
  t.after(() => good.close());
  assert.equal((await exchange(good.port, 'over tls')).data.toString(), 'over tls');
  const bad = await startFrontListener(tcpProxyConfig({ clusters: [tlsCluster('other-ca')] }));
  t.after(() => bad.close());
  assert.equal((await exchange(bad.port, 'over tls')).data.length, 0);
  assert.equal(bad.stats.values()['cluster.secure.upstream_cx_connect_fail'], 1);
});
