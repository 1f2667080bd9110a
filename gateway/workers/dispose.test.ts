// `gateway --workers 2`: a reload releases each worker's old filters: the ratelimit filter's Redis
// connection (one per worker) closes once a reload drops the filter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { deadPort, gatewayConfig, startUpstream } from '../harness.js';
import { startObservedRedis } from '../../filters/ratelimit/redis-server.js';
import { spawnCli, tryGet, until } from './cli-process.js';

test('--workers 2: a reload that drops the ratelimit filter closes every worker\'s Redis connection', { timeout: 120_000 }, async (t) => {
  const { redis, otherClients } = await startObservedRedis(t);
  const up = await startUpstream('up');
  t.after(() => up.close());
  const dir = mkdtempSync(join(tmpdir(), 'gw-dispose-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const [port, adminPort] = [await deadPort(), await deadPort()];
  const file = join(dir, 'gw.yaml');
  const write = (filters: unknown[]): void => {
    const config = gatewayConfig({ routes: [{ match: { prefix: '/' }, route: { cluster: 'up' } }], clusters: [{ name: 'up', ports: [up.port] }], filters }) as {
      listeners: { port: number }[];
      admin?: unknown;
    };
    config.listeners[0]!.port = port;
    config.admin = { address: '127.0.0.1', port: adminPort };
    writeFileSync(file, stringify(config));
  };
  write([
    {
      name: 'ratelimit',
      config: {
        domain: 'workers',
        redis: { address: '127.0.0.1', port: redis.port },
        timeout: '5s',
        rate_limits: [{ actions: [{ generic_key: { descriptor_value: 'all' } }] }],
        descriptors: [{ key: 'generic_key', value: 'all', rate_limit: { unit: 'day', requests_per_unit: 1000 } }],
      },
    },
  ]);
  const admin = `http://127.0.0.1:${adminPort}`;
  const gw = spawnCli(['--config', file, '--workers', '2']);
  t.after(() => gw.kill());
  await until('both workers live', async () => (await tryGet(`${admin}/ready`)).status === 200, 60_000);
  await until('each worker connected to redis', async () => (await otherClients()) === 2);

  write([]);
  const reloaded = await tryGet(`${admin}/reload`, { method: 'POST' });
  assert.equal(reloaded.status, 200, reloaded.body);
  await until('the workers closed their redis connections', async () => (await otherClients()) === 0);
  assert.equal((await tryGet(`http://127.0.0.1:${port}/x`)).status, 200, 'the new config serves');

  gw.child.kill('SIGTERM');
  assert.equal(await gw.exited, 0);
});
