// The `gateway` command reloads on SIGHUP (a broken file is refused and logged, the old config keeps serving),
// on a file change with --watch, and on SIGTERM drains: the request in flight completes and it exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { deadPort, gatewayConfig, nodeRequest, startUpstream, type Upstream } from '../harness.js';
import { spawnCli, tryGet, until } from '../workers/cli-process.js';

interface Setup {
  file: string;
  origin: string;
  admin: string;
  write(cluster: string): void;
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
  const dir = mkdtempSync(join(tmpdir(), 'gw-cli-reload-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const [port, adminPort] = [await deadPort(), await deadPort()];
  const file = join(dir, 'gw.yaml');
  const write = (cluster: string): void => {
    const config = gatewayConfig({
      routes: [{ match: { prefix: '/' }, route: { cluster, timeout: '20s' } }],
      clusters: [
        { name: 'a', ports: [a.port] },
        { name: 'b', ports: [b.port] },
      ],
    }) as { listeners: { port: number }[]; admin?: unknown };
    config.listeners[0]!.port = port;
    config.admin = { address: '127.0.0.1', port: adminPort };
    writeFileSync(file, stringify(config));
  };
  write('a');
  return {
    file,
    origin: `http://127.0.0.1:${port}`,
    admin: `http://127.0.0.1:${adminPort}`,
    write,
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
