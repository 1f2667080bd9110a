// Filter dispose hooks across reloads: the old config's filters are disposed once its traffic has drained
// (not before), the running config's at stop, a throwing hook is logged and changes nothing; the ratelimit
// filter's Redis connection closes with the last config that uses it; a wasm plugin's root context gets
// proxy_on_done then proxy_on_delete.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request as httpRequest } from 'node:http';
import { pino, type Logger } from 'pino';
import { gatewayConfig, nodeRequest, startUpstream } from '../harness.js';
import { createGateway, type Gateway } from '../index.js';
import { waitFor } from '../cluster/fault-upstream.js';
import { startObservedRedis } from '../../filters/ratelimit/redis-server.js';
import { until } from '../workers/cli-process.js';
import { testModule } from '../wasm/module-fixtures.js';
import { disposals } from './testdata/dispose-probe.js';

const here = dirname(fileURLToPath(import.meta.url));
const BUILD = { timeout: 240_000 };

function configWith(port: number, filters: unknown[]): unknown {
  return gatewayConfig({ routes: [{ match: { prefix: '/' }, route: { cluster: 'up', timeout: '15s' } }], clusters: [{ name: 'up', ports: [port] }], filters });
}

const probe = (id: string, fail = false): unknown => ({ name: 'probe', module: './testdata/dispose-probe.js', config: { id, fail } });

/** A logger whose records (parsed) land in `records`. */
function capturing(): { logger: Logger; records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void records.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, records };
}

async function started(config: unknown, t: { after(fn: () => Promise<void>): void }, logger?: Logger): Promise<Gateway> {
  const gateway = await createGateway({ config, configDir: here, logLevel: 'silent', logger, drainTimeoutMs: 10_000 });
  await gateway.start();
  t.after(() => gateway.stop());
  return gateway;
}

const count = (id: string): number => disposals.filter((d) => d === id).length;

test('the old config is disposed once, after its requests drain; the running one once at stop', { timeout: 30_000 }, async (t) => {
  let releaseSlow: (() => void) | null = null;
  const up = await startUpstream('up', (req, res) => {
    if (req.url === '/slow') releaseSlow = () => res.end('slow');
    else res.end('ok');
  });
  t.after(() => up.close());
  const gateway = await started(configWith(up.port, [probe('ts-1')]), t);
  const origin = `http://127.0.0.1:${gateway.address('test').port}`;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.after(() => agent.destroy());
  const slow = new Promise<string>((resolve, reject) => {
    httpRequest(`${origin}/slow`, { agent }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject).end();
  });
  await waitFor('the slow request at the upstream', () => releaseSlow !== null);

  await gateway.reload({ config: configWith(up.port, [probe('ts-2')]), configDir: here });
  assert.equal((await nodeRequest(origin, '/x', {})).body, 'ok', 'the new config serves');
  assert.equal(count('ts-1'), 0, 'a request in flight holds the old config: not disposed yet');

  releaseSlow!();
  assert.equal(await slow, 'slow');
  await waitFor('the old config disposed', () => count('ts-1') === 1);
  assert.equal(count('ts-2'), 0, 'the running config is not disposed');

  await gateway.stop();
  assert.equal(count('ts-2'), 1, 'stop disposes the running config');
  assert.equal(count('ts-1'), 1, 'exactly once');
});

test('a throwing dispose hook is logged; the reload succeeds and the gateway goes on', { timeout: 30_000 }, async (t) => {
  const up = await startUpstream('up');
  t.after(() => up.close());
  const { logger, records } = capturing();
  const gateway = await started(configWith(up.port, [probe('throw-1', true)]), t, logger);
  const origin = `http://127.0.0.1:${gateway.address('test').port}`;

  const result = await gateway.reload({ config: configWith(up.port, [probe('throw-2')]), configDir: here });
  assert.deepEqual(result.kept, ['test']);
  await waitFor('the throwing hook ran', () => count('throw-1') === 1);
  await waitFor('its failure logged', () =>
    records.some((r) => r.msg === 'filter dispose hook failed' && r.filter === 'probe' && JSON.stringify(r.err).includes('probe throw-1 failed to dispose')),
  );
  assert.equal(records.filter((r) => r.msg === 'releasing the previous config failed').length, 0, 'the release itself did not fail');
  assert.equal(records.filter((r) => r.level === 50).length, 1, 'one error logged, the hook');
  assert.equal((await nodeRequest(origin, '/x', {})).status, 200);

  await gateway.reload({ config: configWith(up.port, [probe('throw-3')]), configDir: here });
  await waitFor('the next release', () => count('throw-2') === 1);
  assert.equal((await nodeRequest(origin, '/x', {})).status, 200);
});

test('the ratelimit Redis connection is kept by a reload that keeps it and closed by one that drops it', { timeout: 60_000 }, async (t) => {
  const { redis, otherClients } = await startObservedRedis(t);
  const up = await startUpstream('up');
  t.after(() => up.close());
  const ratelimit = {
    name: 'ratelimit',
    config: {
      domain: 'dispose',
      redis: { address: '127.0.0.1', port: redis.port },
      timeout: '5s',
      rate_limits: [{ actions: [{ generic_key: { descriptor_value: 'all' } }] }],
      descriptors: [{ key: 'generic_key', value: 'all', rate_limit: { unit: 'day', requests_per_unit: 1000 } }],
    },
  };
  const gateway = await started(configWith(up.port, [ratelimit, probe('rl-1')]), t);
  const origin = `http://127.0.0.1:${gateway.address('test').port}`;
  assert.equal((await nodeRequest(origin, '/x', {})).status, 200);
  await until('the gateway connected to redis', async () => (await otherClients()) === 1);

  await gateway.reload({ config: configWith(up.port, [ratelimit, probe('rl-2')]), configDir: here });
  await waitFor('the first config released', () => count('rl-1') === 1);
  assert.equal(await otherClients(), 1, 'both configs shared one connection, and it stays');
  assert.equal((await nodeRequest(origin, '/x', {})).status, 200);

  await gateway.reload({ config: configWith(up.port, [probe('rl-3')]), configDir: here });
  await waitFor('the second config released', () => count('rl-2') === 1);
  await until('the connection closed', async () => (await otherClients()) === 0);
  assert.equal((await nodeRequest(origin, '/x', {})).status, 200);
});

test('a released wasm plugin: its root context gets proxy_on_done then proxy_on_delete, after reload and at stop', BUILD, async (t) => {
  const file = await testModule('lifecycle');
  const up = await startUpstream('up');
  t.after(() => up.close());
  const wasm = { name: 'life', type: 'wasm', config: { root_id: 'life', vm_config: { vm_id: 'life', code: { local: { filename: file } } } } };
  const { logger, records } = capturing();
  const gateway = await started(configWith(up.port, [wasm, probe('wasm-1')]), t, logger);
  const origin = `http://127.0.0.1:${gateway.address('test').port}`;
  assert.equal((await nodeRequest(origin, '/x', {})).status, 200);
  const lines = (): string[] => records.filter((r) => r.filter === 'life').map((r) => String(r.msg));
  const rootOf = (n: number): string => lines().filter((m) => m.endsWith(' configured'))[n]!.split(' ')[1]!;
  const first = rootOf(0);

  await gateway.reload({ config: configWith(up.port, [wasm, probe('wasm-2')]), configDir: here });
  await waitFor('the old config released', () => count('wasm-1') === 1);
  const second = rootOf(1);
  assert.notEqual(first, second, 'the new config has a root context of its own');
  assert.deepEqual(
    lines().filter((m) => m.includes(' done') || m.includes(' deleted')),
    [`root ${first} done`, `root ${first} deleted`],
    'the old root ended, in ABI order; the new one lives',
  );
  assert.equal((await nodeRequest(origin, '/x', {})).status, 200, 'the new plugin serves on the same VM');

  await gateway.stop();
  assert.deepEqual(lines().slice(-2), [`root ${second} done`, `root ${second} deleted`]);
});
