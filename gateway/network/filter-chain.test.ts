import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { defineNetworkFilter, FilterStatus } from '../../sdk/index.js';
import type { NetworkFilterFactory } from '../../sdk/index.js';
import { ConfigValidationError } from '../config/errors.js';
import { eventually, exchange, openClient, startFrontListener, startTcpEcho, tcpProxyConfig, testRegistry } from './test-fixtures.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Throws on data containing "boom"; counts what it saw. */
const exploding: NetworkFilterFactory = defineNetworkFilter({
  name: 'exploding',
  configSchema: { type: 'object' },
  create: () => () => ({
    onDownstreamData(data) {
      if (data.includes('boom')) throw new Error('kaboom');
      return FilterStatus.Continue;
    },
  }),
});

/** Holds a new connection until a timer says go (an asynchronous decision); notes the upstream host it sees. */
const upstreamHosts: string[] = [];
const slowGate: NetworkFilterFactory = defineNetworkFilter({
  name: 'slow_gate',
  configSchema: { type: 'object' },
  create: () => () => ({
    onNewConnection: () => new Promise((resolve) => setTimeout(() => resolve(FilterStatus.Continue), 50)),
    onUpstreamData(_data, _eos, conn) {
      upstreamHosts.push(conn.upstreamHost);
      return FilterStatus.Continue;
    },
  }),
});

test('network_rbac: an ALLOW policy on source CIDR lets 127.0.0.1 in; a DENY policy on it closes the connection, counted', async (t) => {
  const echo = await startTcpEcho();
  t.after(() => echo.close());
  const rbac = (action: string) => ({
    name: 'network_rbac',
    config: {
      stat_prefix: 'tcp_acl',
      rules: { action, policies: { loopback: { permissions: [{ any: true }], principals: [{ source_ip: { address_prefix: '127.0.0.0', prefix_len: 8 } }] } } },
    },
  });
  const allow = await startFrontListener(tcpProxyConfig({ filters: [rbac('ALLOW')], clusters: [{ name: 'echo', ports: [echo.port] }] }));
  t.after(() => allow.close());
  assert.equal((await exchange(allow.port, 'in')).data.toString(), 'in');
  assert.equal(allow.stats.values()['tcp_acl.rbac.allowed'], 1);

  const deny = await startFrontListener(tcpProxyConfig({ filters: [rbac('DENY')], clusters: [{ name: 'echo', ports: [echo.port] }] }));
  t.after(() => deny.close());
  assert.equal((await exchange(deny.port, 'out')).data.length, 0);
  assert.equal(deny.stats.values()['tcp_acl.rbac.denied'], 1);
  assert.equal(echo.accepted, 1, 'the denied connection never reached the upstream');
});

test('network_rbac: requested_server_name matches the SNI the listener saw', async (t) => {
  const echo = await startTcpEcho();
  t.after(() => echo.close());
  const config = tcpProxyConfig({
    filters: [
      {
        name: 'network_rbac',
        config: {
          stat_prefix: 'sni',
          rules: { action: 'ALLOW', policies: { api: { permissions: [{ requested_server_name: { suffix: '.example.com' } }], principals: [{ any: true }] } } },
        },
      },
    ],
    clusters: [{ name: 'echo', ports: [echo.port] }],
  });
  const good = await startFrontListener(config, { overrides: { serverName: 'api.example.com' } });
  t.after(() => good.close());
  assert.equal((await exchange(good.port, 'sni')).data.toString(), 'sni');
  const bad = await startFrontListener(config, { overrides: { serverName: 'api.example.org' } });
  t.after(() => bad.close());
  assert.equal((await exchange(bad.port, 'sni')).data.length, 0);
  assert.equal(bad.stats.values()['sni.rbac.denied'], 1);
});

test('connection_limit: the connection past max_connections is closed after the delay; a slot freed is reused', async (t) => {
  const echo = await startTcpEcho();
  t.after(() => echo.close());
  const front = await startFrontListener(
    tcpProxyConfig({
      filters: [{ name: 'connection_limit', config: { stat_prefix: 'cl', max_connections: 2, delay: '100ms' } }],
      clusters: [{ name: 'echo', ports: [echo.port] }],
    }),
  );
  t.after(() => front.close());
  const a = await openClient(front.port);
  const b = await openClient(front.port);
  t.after(() => [a, b].forEach((c) => c.socket.destroy()));
  a.socket.write('a');
  b.socket.write('b');
  await a.waitFor((d) => d.toString() === 'a', 'a echoed');
  await b.waitFor((d) => d.toString() === 'b', 'b echoed');
  assert.equal(front.stats.values()['connection_limit.cl.active_connections'], 2);
  const started = Date.now();
  const refused = await exchange(front.port, 'c');
  assert.equal(refused.data.length, 0);
  assert.ok(Date.now() - started >= 90, 'closed after the delay');
  assert.equal(front.stats.values()['connection_limit.cl.limited_connections'], 1);
  a.socket.end();
  await a.closed();
  await eventually(() => front.stats.values()['connection_limit.cl.active_connections'] === 1, 'the slot to be freed');
  assert.equal((await exchange(front.port, 'd')).data.toString(), 'd');
});

test('local_ratelimit (network): new connections past the token bucket are closed, counted', async (t) => {
  const echo = await startTcpEcho();
  t.after(() => echo.close());
  const front = await startFrontListener(
    tcpProxyConfig({
      filters: [{ name: 'local_ratelimit', config: { stat_prefix: 'rl', token_bucket: { max_tokens: 2, tokens_per_fill: 1, fill_interval: '1h' } } }],
      clusters: [{ name: 'echo', ports: [echo.port] }],
    }),
  );
  t.after(() => front.close());
  const answers = [];
  for (let n = 0; n < 4; n++) answers.push((await exchange(front.port, 'x')).data.toString());
  assert.deepEqual(answers, ['x', 'x', '', '']);
  assert.equal(front.stats.values()['local_ratelimit.rl.rate_limited'], 2);
});

test('a TypeScript network filter loaded by module path holds, rewrites and marks data, with backpressure for big transfers', async (t) => {
  const echo = await startTcpEcho();
  t.after(() => echo.close());
  const front = await startFrontListener(
    tcpProxyConfig({ filters: [{ name: 'upper', module: './testdata/line-upper-filter.js', config: { prefix: '>' } }], clusters: [{ name: 'echo', ports: [echo.port] }] }),
    { configDir: here },
  );
  t.after(() => front.close());
  const client = await openClient(front.port);
  t.after(() => client.socket.destroy());
  client.socket.write('hello ');
  client.socket.write('world\n');
  await client.waitFor((d) => d.toString() === '>HELLO WORLD\n', 'the whole line, upper-cased and marked');
  assert.equal(front.stats.values()['line_upper.lines'], 1);
  // A large line passes through the interposer both ways; each chunk coming back is marked.
  const big = Buffer.from(randomBytes(512 * 1024).toString('hex') + '\n', 'latin1');
  client.socket.write(big);
  const unmarked = (): string => client.received().toString('latin1').replaceAll('>', '');
  const expected = 'HELLO WORLD\n' + big.toString('latin1').toUpperCase();
  await client.waitFor(() => unmarked().length >= expected.length, 'the large line back', 20_000);
  assert.ok(unmarked() === expected, 'the large line came back whole, upper-cased');
});

test('a network filter that throws closes its own connection only, counted and logged; with fail_open it is passed by', async (t) => {
  const echo = await startTcpEcho();
  t.after(() => echo.close());
  const registry = testRegistry([exploding]);
  const strict = await startFrontListener(tcpProxyConfig({ filters: [{ name: 'exploding' }], clusters: [{ name: 'echo', ports: [echo.port] }] }), { registry });
  t.after(() => strict.close());
  const calm = await openClient(strict.port);
  t.after(() => calm.socket.destroy());
  calm.socket.write('calm');
  await calm.waitFor((d) => d.toString() === 'calm', 'the calm echo');
  assert.equal((await exchange(strict.port, 'boom')).data.length, 0);
  assert.equal(strict.stats.values()['listener.tcp.network_filter.exploding.errors'], 1);
  calm.socket.write(' still');
  await calm.waitFor((d) => d.toString() === 'calm still', 'the other connection unaffected');

  const lenient = await startFrontListener(
    tcpProxyConfig({ filters: [{ name: 'exploding', fail_open: true }], clusters: [{ name: 'echo', ports: [echo.port] }] }),
    { registry },
  );
  t.after(() => lenient.close());
  assert.equal((await exchange(lenient.port, 'boom')).data.toString(), 'boom');
  assert.equal(lenient.stats.values()['listener.tcp.network_filter.exploding.errors'], 1);
});

test('onNewConnection returning a Promise holds the connection until it settles', async (t) => {
  const echo = await startTcpEcho();
  t.after(() => echo.close());
  const front = await startFrontListener(tcpProxyConfig({ filters: [{ name: 'slow_gate' }], clusters: [{ name: 'echo', ports: [echo.port] }] }), {
    registry: testRegistry([slowGate]),
  });
  t.after(() => front.close());
  assert.equal((await exchange(front.port, 'late')).data.toString(), 'late');
  assert.equal(upstreamHosts[0], `127.0.0.1:${echo.port}`, 'tcp_proxy tells the filters its upstream host');
});

test('config: network filters before the terminal, the terminal last, known clusters; errors name the path', async () => {
  const bad = tcpProxyConfig({
    filters: [{ name: 'no_such_filter' }, { name: 'tcp_proxy', config: { stat_prefix: 'x', cluster: 'echo' } }],
    clusters: [{ name: 'echo', ports: [1] }],
  }) as { listeners: { filter_chains: { filters: { config: Record<string, unknown> }[] }[] }[] };
  bad.listeners[0]!.filter_chains[0]!.filters[2]!.config.cluster = 'nope';
  await assert.rejects(startFrontListener(bad), (err: ConfigValidationError) => {
    const text = err.errors.map((e) => `${e.path}: ${e.message}`).join('\n');
    assert.match(text, /listeners\[0\]\.filter_chains\[0\]\.filters\[0\]\.name: unknown network filter "no_such_filter"/);
    assert.match(text, /filters\[1\]\.name: tcp_proxy is a terminal filter: it must be the last of the chain/);
    assert.match(text, /filters\[2\]\.config\.cluster: unknown cluster "nope"/);
    return true;
  });
});
