// The `gateway` command: --validate on good and bad configs, and a real run that proxies and stops on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { deadPort, gatewayConfig, startUpstream } from './harness.js';

const CLI = fileURLToPath(new URL('./cli.js', import.meta.url));

function run(args: string[], timeoutMs = 10_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gateway ${args.join(' ')} did not exit in ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('--validate exits 0 on a valid config and 1 with every error and its path on a bad one', { timeout: 30_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const good = join(dir, 'good.yaml');
  writeFileSync(good, stringify(gatewayConfig({ routes: [{ match: { prefix: '/' }, route: { cluster: 'a' } }], clusters: [{ name: 'a', ports: [9] }] })));
  const ok = await run(['--config', good, '--validate']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /valid/);

  const bad = join(dir, 'bad.yaml');
  writeFileSync(
    bad,
    stringify(
      gatewayConfig({
        routes: [{ match: { prefix: '/' }, route: { cluster: 'api-v3', timeout: 'soon' }, colour: 'red' }],
        clusters: [{ name: 'a', ports: [9] }],
      }),
    ),
  );
  const ko = await run(['--config', bad, '--validate']);
  assert.equal(ko.code, 1);
  const base = 'listeners[0].filter_chains[0].filters[0].config.route_config.virtual_hosts[0].routes[0]';
  assert.match(ko.stderr, new RegExp(`${escape(base)}\\.route\\.cluster: unknown cluster "api-v3"`));
  assert.match(ko.stderr, new RegExp(`${escape(base)}\\.route\\.timeout: `));
  assert.match(ko.stderr, new RegExp(`${escape(base)}: unknown field "colour"`));
});

test('the gateway runs from the command line, proxies, and exits 0 on SIGTERM', { timeout: 30_000 }, async (t) => {
  const up = await startUpstream('up');
  t.after(() => up.close());
  const dir = mkdtempSync(join(tmpdir(), 'gw-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const port = await deadPort();
  const config = gatewayConfig({ routes: [{ match: { prefix: '/' }, route: { cluster: 'up' } }], clusters: [{ name: 'up', ports: [up.port] }] }) as {
    listeners: { port: number }[];
  };
  config.listeners[0]!.port = port;
  const file = join(dir, 'gw.yaml');
  writeFileSync(file, stringify(config));
  const child = spawn(process.execPath, [CLI, '--config', file, '--log-level', 'info'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.after(() => child.kill('SIGKILL'));
  // Bounded wait for the "listening" log line.
  await new Promise<void>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`gateway did not start: ${err}`)), 10_000);
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('"listening"')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const r = await fetch(`http://127.0.0.1:${port}/hello`);
  assert.equal(r.status, 200);
  assert.equal(await r.text(), 'up');
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
