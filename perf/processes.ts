// Child processes of the suite. Each child leads its own process group so that one signal
// reaches everything it forked (nginx workers, gateway workers); all of them die with the suite,
// whether it ends normally, throws, or is interrupted.
import { spawn, type ChildProcess } from 'node:child_process';

const OUTPUT_TAIL_BYTES = 4096;
const STOP_GRACE_MS = 2000;

export interface Child {
  name: string;
  pid: number;
  /** The exit code or signal, once exited. */
  exitStatus(): string | null;
  /** The last few KB the process wrote to stdout and stderr, to explain a failure. */
  outputTail(): string;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

export function startChild(name: string, file: string, args: string[]): Child {
  const child = spawn(file, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) {
    child.once('error', () => {}); // the reason is reported by the throw below, not as an unhandled event
    throw new Error(`${name}: could not start ${file}`);
  }
  live.add(child);

  let tail = '';
  const keepTail = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_BYTES);
  };
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);

  let status: string | null = null;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      status = signal ?? `exit code ${code}`;
      live.delete(child);
      // Reap anything the child forked and left behind.
      signalGroup(pid, 'SIGKILL');
      resolve();
    });
    child.once('error', (err) => {
      status = err.message;
      tail += `\n${err.message}`;
      live.delete(child);
      resolve();
    });
  });

  return {
    name,
    pid,
    exitStatus: () => status,
    outputTail: () => tail,
    async stop() {
      if (!live.has(child)) return;
      signalGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Kills every child still alive; synchronous so it can run in an 'exit' handler. */
export function killAllChildren(): void {
  for (const child of live) if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
  live.clear();
}

/** Makes sure no child outlives the suite, on normal exit, on a crash and on Ctrl-C. */
export function killChildrenOnExit(): void {
  process.once('exit', killAllChildren);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping all contenders\n`);
      killAllChildren();
      process.exit(130);
    });
  }
}
