// The operating check of issue 6, as a script: an upstream and the `gateway` command (its own process), steady
// load from autocannon (another process), 20 reloads alternating a good and a broken config and alternating
// POST /reload and SIGHUP, then SIGTERM. Prints the failed requests (non-2xx, errors, timeouts), the reloads
// accepted and refused, and whether the gateway's downstream_rq_total adds up to what autocannon counted.
//   node dist/perf/reload-soak.js [--workers N] [--duration S] [--connections C]
// With --throughput: no reloads; req/s with --workers 1 and then --workers 2, autocannon pinned to CPU 1
// (taskset -c 1) and the gateway unpinned.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { freePort, LOOPBACK } from './ports.js';
import { cliPath, httpListener } from './contenders/gateway.js';

const CLI = cliPath(fileURLToPath(new URL('..', import.meta.url)));
const AUTOCANNON = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
const RELOADS = 20;

interface LoadResult {
  completed: number;
  sent: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  rps: number;
}

const { values: args } = parseArgs({
  options: {
    workers: { type: 'string', default: '1' },
    duration: { type: 'string', default: '30' },
    connections: { type: 'string', default: '20' },
    throughput: { type: 'boolean', default: false },
  },
});

function config(port: number, adminPort: number, upstreamPort: number, variant: number, broken: boolean): object {
  return {
    admin: { address: LOOPBACK, port: adminPort },
    listeners: [
      httpListener('soak', port, {
        // A good config differs from the one before by a header; a broken one names a cluster that does not exist.
        response_headers_to_add: [{ header: { key: 'x-config', value: String(variant) } }],
        routes: [{ match: { prefix: '/' }, route: { cluster: broken ? 'missing' : 'up' } }],
      }),
    ],
    clusters: [{ name: 'up', connect_timeout: '1s', endpoints: [{ address: LOOPBACK, port: upstreamPort }] }],
  };
}

async function startUpstream(): Promise<Server> {
  const body = Buffer.alloc(128, 'x');
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '128' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  return server;
}

function runLoad(url: string, seconds: number, connections: number, pinned: boolean): Promise<LoadResult> {
  const cmd = pinned ? 'taskset' : process.execPath;
  const argv = [...(pinned ? ['-c', '1', process.execPath] : []), AUTOCANNON, '--json', '-c', String(connections), '-d', String(seconds), '-t', '10', url];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', () => {
      try {
        const r = JSON.parse(out) as { requests: { total: number; sent: number; average: number }; '2xx': number; non2xx: number; errors: number; timeouts: number };
        resolve({ completed: r.requests.total, sent: r.requests.sent, ok: r['2xx'], non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts, rps: r.requests.average });
      } catch (err) {
        reject(new Error(`autocannon: ${(err as Error).message}: ${out.slice(0, 500)}`));
      }
    });
  });
}

interface RunningGateway {
  log(): string;
  signal(s: NodeJS.Signals): void;
  exited: Promise<number | null>;
}

function startGateway(file: string, workers: number): RunningGateway {
  const child = spawn(process.execPath, [CLI, '--config', file, '--workers', String(workers), '--log-level', 'info'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  process.once('exit', () => child.kill('SIGKILL'));
  return { log: () => log, signal: (s) => child.kill(s), exited };
}

async function until(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function ready(admin: string): Promise<boolean> {
  try {
    return (await fetch(`${admin}/ready`)).status === 200;
  } catch {
    return false;
  }
}

async function stat(admin: string, name: string): Promise<number> {
  const r = await fetch(`${admin}/stats?format=json&filter=${encodeURIComponent(`^${name.replaceAll('.', '\\.')}$`)}`);
  return ((await r.json()) as { stats: { name: string; value: number }[] }).stats.find((s) => s.name === name)?.value ?? 0;
}

/** Reloads the gateway (single process or primary: log lines without a worker field) logged as done and as refused. */
function outcomes(log: string): { reloaded: number; refused: number } {
  const own = log.split('\n').filter((l) => !l.includes('"worker":'));
  return { reloaded: own.filter((l) => l.includes('"msg":"reloaded')).length, refused: own.filter((l) => l.includes('"msg":"reload refused')).length };
}

interface Env {
  dir: string;
  upstreamPort: number;
}

async function launch(env: Env, workers: number): Promise<{ gw: RunningGateway; file: string; url: string; admin: string; write(variant: number, broken: boolean): void }> {
  const [port, adminPort] = [await freePort(), await freePort()];
  const file = join(env.dir, `gw-${workers}.yaml`);
  const write = (variant: number, broken: boolean): void => writeFileSync(file, stringify(config(port, adminPort, env.upstreamPort, variant, broken)));
  write(0, false);
  const gw = startGateway(file, workers);
  const admin = `http://${LOOPBACK}:${adminPort}`;
  await until('the gateway is ready', () => ready(admin));
  return { gw, file, url: `http://${LOOPBACK}:${port}/`, admin, write };
}

async function soak(env: Env, workers: number, seconds: number, connections: number): Promise<void> {
  const { gw, url, admin, write } = await launch(env, workers);
  const load = runLoad(url, seconds, connections, false);
  // The reloads are spread over the load, leaving its first and last seconds alone.
  const gapMs = ((seconds - 4) * 1000) / RELOADS;
  await new Promise((resolve) => setTimeout(resolve, 2000));
  let accepted = 0;
  let refused = 0;
  let wrong = 0;
  for (let i = 1; i <= RELOADS; i++) {
    const broken = i % 2 === 0;
    write(i, broken);
    const before = outcomes(gw.log());
    if (i % 4 === 1 || i % 4 === 2) {
      const r = await fetch(`${admin}/reload`, { method: 'POST' });
      if (r.status === 200) accepted++;
      else if (r.status === 400) refused++;
      if ((r.status === 400) !== broken) wrong++;
      await r.arrayBuffer();
    } else {
      gw.signal('SIGHUP');
      await until('the SIGHUP reload to finish', () => {
        const now = outcomes(gw.log());
        return now.reloaded + now.refused > before.reloaded + before.refused;
      });
      const wasRefused = outcomes(gw.log()).refused > before.refused;
      if (wasRefused !== broken) wrong++;
      if (wasRefused) refused++;
      else accepted++;
    }
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  const result = await load;
  const counted = await stat(admin, 'http.soak.downstream_rq_total');
  const successes = await stat(admin, 'server.reload_success');
  const failures = await stat(admin, 'server.reload_failure');
  gw.signal('SIGTERM');
  const code = await gw.exited;
  const failed = result.non2xx + result.errors + result.timeouts;
  console.log(`\nreload soak, --workers ${workers}, ${connections} connections, ${seconds} s, ${RELOADS} reloads (POST /reload and SIGHUP, good and broken alternating)`);
  console.log(`  requests: ${result.completed} completed (${result.ok} 2xx), ${result.sent} sent, ${Math.round(result.rps)} req/s`);
  console.log(`  failed requests: ${failed} (non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts})`);
  console.log(`  reloads: ${accepted} accepted, ${refused} refused; outcome not as expected: ${wrong}; server.reload_success ${successes}, server.reload_failure ${failures}`);
  const adds = counted >= result.completed && counted <= result.sent;
  console.log(`  stats: http.soak.downstream_rq_total ${counted}; autocannon completed ${result.completed}, sent ${result.sent}: ${adds ? 'adds up' : 'DOES NOT add up'} (between completed and sent)`);
  console.log(`  SIGTERM: exit code ${code}`);
}

async function throughput(env: Env, seconds: number, connections: number): Promise<void> {
  console.log(`\nthroughput: autocannon pinned to CPU 1 (taskset -c 1), ${connections} connections, ${seconds} s; the gateway unpinned`);
  for (const workers of [1, 2]) {
    const { gw, url } = await launch(env, workers);
    await runLoad(url, 3, connections, true); // warm-up
    const r = await runLoad(url, seconds, connections, true);
    console.log(`  --workers ${workers}: ${Math.round(r.rps)} req/s (failed ${r.non2xx + r.errors + r.timeouts})`);
    gw.signal('SIGTERM');
    await gw.exited;
  }
}

async function main(): Promise<void> {
  const upstream = await startUpstream();
  const dir = mkdtempSync(join(tmpdir(), 'reload-soak-'));
  const env = { dir, upstreamPort: (upstream.address() as AddressInfo).port };
  try {
    const seconds = Number(args.duration);
    const connections = Number(args.connections);
    if (args.throughput) await throughput(env, seconds, connections);
    else await soak(env, Number(args.workers), seconds, connections);
  } finally {
    upstream.closeAllConnections();
    upstream.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
