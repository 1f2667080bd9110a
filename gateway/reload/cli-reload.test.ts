// The `gateway` command reloads on SIGHUP (a broken file is refused and logged, the old config keeps serving),
// on a file change with --watch, and on SIGTERM drains: the request in flight completes and it exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { nodeRequest, startUpstream, type Upstream } from '../harness.js';
import { cliConfig, spawnCli, tryGet, until } from '../workers/cli-process.js';
import type { CliConfig } from '../workers/cli-process.js';

interface Setup extends CliConfig {
  /** Sends the request held by the upstream on /slow on its way. */
  release(): void;
  upstreams: Upstream[];
}

/**
 * A GET on a new connection: a keep-alive connection opened before a reload serves one more request with the
 * old config (with `connection: close`), which is not what these checks are about.
 */
function fresh(origin: string, path: string): Promise<{ status: number; body: string }> {
  return nodeRequest(origin, path, {}).then(
    (r) => ({ status: r.status, body: r.body }),
    () => ({ status: 0, body: '' }),
  );
}

async function setup(t: { after(fn: () => unknown): void }): Promise<Setup> {
  let held: (() => void) | null = null;
  const handler = (name: string) => (req: { url?: string }, res: { end(body: string): void }) => {
    if (req.url === '/slow') held = () => res.end(`${name}-slow`);
    else res.end(name);
  };
  const a = await startUpstream('a', handler('a'));
  const b = await startUpstream('b', handler('b'));
  t.after(() => Promise.all([a.close(), b.close()]));
  const config = await cliConfig(t, { a: a.port, b: b.port }, { timeout: '20s' });
  return {
    ...config,
    release: () => held?.(),
    upstreams: [a, b],
  };
}

test('SIGHUP reloads the file; a broken file is refused and logged; SIGTERM completes the request in flight and exits 0', { timeout: 60_000 }, async (t) => {
  const s = await setup(t);
  const gw = spawnCli(['--config', s.file]);
  t.after(() => gw.kill());
  await until('the gateway is ready', async () => (await tryGet(`${s.admin}/ready`)).status === 200);
  assert.equal((await fresh(s.origin, '/x')).body, 'a');

  s.write('b');
  gw.child.kill('SIGHUP');
  await until('the reloaded route answers', async () => (await fresh(s.origin, '/x')).body === 'b');

  writeFileSync(s.file, 'listeners: [');
  gw.child.kill('SIGHUP');
  await until('the refusal is logged', () => gw.log().includes('reload refused'));
  assert.match(gw.log(), /"path":"\(file\)"/, 'the log says what is wrong');
  assert.equal((await fresh(s.origin, '/x')).body, 'b', 'the old config keeps serving');

  const slow = fresh(s.origin, '/slow');
  await until('the slow request reached the upstream', () => s.upstreams[1]!.seen.some((r) => r.url === '/slow'));
  gw.child.kill('SIGTERM');
  await until('the gateway is draining', async () => (await tryGet(`${s.admin}/ready`)).body === 'DRAINING\n');
  s.release();
  assert.deepEqual(await slow, { status: 200, body: 'b-slow' }, 'the request in flight completed');
  assert.equal(await gw.exited, 0);
});

test('--watch reloads when the config file changes', { timeout: 60_000 }, async (t) => {
  const s = await setup(t);
  const gw = spawnCli(['--config', s.file, '--watch']);
  t.after(() => gw.kill());
  await until('the gateway is ready', async () => (await tryGet(`${s.admin}/ready`)).status === 200);
  assert.equal((await fresh(s.origin, '/x')).body, 'a');
  s.write('b');
  await until('the changed file is served', async () => (await fresh(s.origin, '/x')).body === 'b');
  gw.child.kill('SIGTERM');
  assert.equal(await gw.exited, 0);
});
