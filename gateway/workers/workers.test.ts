// `gateway --workers 2`: both workers serve the shared port; the primary's admin sums their stats, merges
// /clusters, replaces a worker that dies, applies /reload on both (or refuses it with the errors), and SIGTERM exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { startUpstream } from '../harness.js';
import type { ClusterView } from '../admin/clusters-view.js';
import { cliConfig, spawnCli, tryGet, until } from './cli-process.js';

function workerPids(log: string): number[] {
  return [...log.matchAll(/"pid":(\d+),"msg":"worker live"/g)].map((m) => Number(m[1]));
}

async function statValue(admin: string, name: string): Promise<number> {
  const r = await tryGet(`${admin}/stats?format=json&filter=${encodeURIComponent(`^${name.replaceAll('.', '\\.')}$`)}`);
  const stats = (JSON.parse(r.body) as { stats: { name: string; value: number }[] }).stats;
  return stats.find((s) => s.name === name)?.value ?? 0;
}

test('--workers 2: shared port, summed stats, merged clusters, replaced worker, reload on both, SIGTERM exits 0', { timeout: 120_000 }, async (t) => {
  // Each worker has its own upstream pool: connections from two source ports mean both workers forwarded.
  const sourcePorts = new Set<number>();
  const a = await startUpstream('a', (req, res) => {
    sourcePorts.add(req.socket.remotePort!);
    res.end('a');
  });
  const b = await startUpstream('b');
  t.after(() => Promise.all([a.close(), b.close()]));
  const { file, origin, admin, write } = await cliConfig(t, { a: a.port, b: b.port });
  const gw = spawnCli(['--config', file, '--workers', '2']);
  t.after(() => gw.kill());
  await until('both workers live', async () => (await tryGet(`${admin}/ready`)).status === 200, 60_000);
  assert.equal(workerPids(gw.log()).length, 2);

  // Each request on a new connection: round robin spreads them over both workers.
  const sent = 40;
  for (let i = 0; i < sent; i++) assert.equal((await tryGet(`${origin}/x`, { headers: { connection: 'close' } })).body, 'a');
  assert.ok(sourcePorts.size >= 2, `both workers served (${sourcePorts.size} upstream connections)`);
  assert.equal(await statValue(admin, 'http.test.downstream_rq_total'), sent, 'the admin sums both workers');
  const clusters = JSON.parse((await tryGet(`${admin}/clusters?format=json`)).body) as { cluster_statuses: ClusterView[] };
  const hostA = clusters.cluster_statuses.find((c) => c.name === 'a')!.hosts[0]!;
  assert.equal(hostA.total_requests, sent, 'per-host counts are summed');
  assert.equal(hostA.healthy, true);

  // A worker killed from outside is replaced.
  const [victim] = workerPids(gw.log());
  process.kill(victim!, 'SIGKILL');
  await until('a replacement worker is live', () => workerPids(gw.log()).length === 3, 60_000);
  await until('ready again', async () => (await tryGet(`${admin}/ready`)).status === 200);
  assert.equal(await statValue(admin, 'server.worker_restarts'), 1);

  // /reload reaches both workers: every new connection (whichever worker takes it) gets the new route.
  write('b');
  const reloaded = await tryGet(`${admin}/reload`, { method: 'POST' });
  assert.equal(reloaded.status, 200, reloaded.body);
  for (let i = 0; i < 10; i++) assert.equal((await tryGet(`${origin}/x`, { headers: { connection: 'close' } })).body, 'b');

  writeFileSync(file, stringify({ listeners: [], clusters: 'none' }));
  const refused = await tryGet(`${admin}/reload`, { method: 'POST' });
  assert.equal(refused.status, 400);
  assert.ok((JSON.parse(refused.body) as { errors: { path: string }[] }).errors.some((e) => e.path === 'clusters'), refused.body);
  assert.equal((await tryGet(`${origin}/x`)).body, 'b');
  assert.equal(await statValue(admin, 'server.reload_success'), 1);
  assert.equal(await statValue(admin, 'server.reload_failure'), 1);

  gw.child.kill('SIGTERM');
  assert.equal(await gw.exited, 0);
});
