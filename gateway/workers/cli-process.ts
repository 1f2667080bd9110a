// Test helper: the compiled `gateway` command as a child process (its stderr log kept), a poll for a
// condition that needs a request (bounded), and a GET that never throws.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

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
