// Test helper: the compiled `gateway` command as a child process (its stderr log kept), a config file for it,
// a poll for a condition that needs a request (bounded), and a GET that never throws.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { deadPort, gatewayConfig } from '../harness.js';

const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));

export interface CliProcess {
  readonly child: ChildProcess;
  /** Everything it wrote to stderr (its log) so far. */
  log(): string;
  /** Its exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** SIGKILL if still running (test cleanup). */
  kill(): void;
}

export function spawnCli(args: string[]): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    log: () => log,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Polls `condition` every 50 ms until it holds; throws with `what` after `timeoutMs`. */
export async function until(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Status and body of a GET, or status 0 when the connection failed. */
export async function tryGet(url: string, init: RequestInit = {}): Promise<{ status: number; body: string }> {
  try {
    const r = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
    return { status: r.status, body: await r.text() };
  } catch {
    return { status: 0, body: '' };
  }
}

export interface CliConfig {
  /** The config file, in a temporary folder removed after the test. */
  readonly file: string;
  /** The listener's and the admin's origins. */
  readonly origin: string;
  readonly admin: string;
  /** (Re)writes the file: one listener whose only route sends everything to `cluster`. */
  write(cluster: string): void;
}

/**
 * A config file for the `gateway` command: a listener and the admin on free ports, the given clusters (by name,
 * the port of each), and a catch-all route with `route` fields besides its cluster. First written for the first cluster.
 */
export async function cliConfig(t: { after(fn: () => unknown): void }, clusters: Record<string, number>, route: Record<string, unknown> = {}): Promise<CliConfig> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const [port, adminPort] = [await deadPort(), await deadPort()];
  const file = join(dir, 'gw.yaml');
  const write = (cluster: string): void => {
    const config = gatewayConfig({
      routes: [{ match: { prefix: '/' }, route: { ...route, cluster } }],
      clusters: Object.entries(clusters).map(([name, p]) => ({ name, ports: [p] })),
    }) as { listeners: { port: number }[]; admin?: unknown };
    config.listeners[0]!.port = port;
    config.admin = { address: '127.0.0.1', port: adminPort };
    writeFileSync(file, stringify(config));
  };
  write(Object.keys(clusters)[0]!);
  return { file, origin: `http://127.0.0.1:${port}`, admin: `http://127.0.0.1:${adminPort}`, write };
}
